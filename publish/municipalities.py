"""The prefecture's municipalities from the reference data: official kana readings, romaji and office positions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kernel import reference
from kernel.reference import haversine_km

log = logging.getLogger(__name__)

NEAREST_MAX_KM: Final = 20.0


@dataclass(frozen=True, slots=True)
class Municipality:
    """One 市町: JIS code, name, reading (hiragana), the position of its office and its official romaji."""

    code: str
    name: str
    reading: str
    lat: float
    lng: float
    roma: str = ""  # name_roma of the master, e.g. Yokkaichi-shi (long vowels unmarked: Toin-cho)


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


_cache: dict[Path, tuple[Municipality, ...]] = {}


def municipalities() -> tuple[Municipality, ...]:
    """All municipalities of the configured reference data (empty when its municipalities.csv is absent)."""
    data = reference.current()
    if data.directory not in _cache:
        _cache.clear()
        _cache[data.directory] = tuple(
            Municipality(r["jis_code"], r["name"], _hiragana(r["name_kana"]), float(r["lat"]), float(r["lng"]),
                         r.get("name_roma") or "") for r in data.rows("municipalities.csv"))
    return _cache[data.directory]


def by_code(code: str) -> Municipality | None:
    """The municipality with this 5-digit JIS code (a 6-digit 地方公共団体コード with its check digit works too)."""
    code = str(code)
    if len(code) == 6 and code.isdigit():
        code = code[:5]
    return next((m for m in municipalities() if m.code == code), None)


def by_name(name: str) -> Municipality | None:
    """The municipality called ``name`` (e.g. 四日市市), if any."""
    return next((m for m in municipalities() if m.name == name), None)


def nearest(lat: float, lng: float) -> Municipality | None:
    """The municipality whose office is nearest (within NEAREST_MAX_KM): an approximation of containment."""
    best = min(municipalities(), key=lambda m: haversine_km(lat, lng, m.lat, m.lng), default=None)
    if best is None or haversine_km(lat, lng, best.lat, best.lng) > NEAREST_MAX_KM:
        return None
    return best
