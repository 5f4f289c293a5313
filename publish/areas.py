"""The prefecture's JMA areas, used to scope alerts and subscriptions.

Read from JMA's code tables (``AreaForecastLocal.csv``: 市町村等をまとめた地域 -> 一次細分区域 -> 府県予報区;
``CityCode.csv``: municipality -> 市町村等をまとめた地域) in the reference data, for the prefecture of
``[publish] prefecture_code``, so another prefecture is a configuration change. Earthquake 細分区域 and tsunami
予報区 are not in those tables: they come from ``[publish] quake_areas`` / ``tsunami_areas``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from kernel import reference
from kernel.published import Alert
from kernel.reference import ReferenceData

# Mie's, the defaults of [publish] (JMA codes from ../shared/docs/feeds.md §1.6-1.7).
DEFAULT_PREFECTURE = "24"
DEFAULT_QUAKE_AREAS = ("460", "461", "462")
DEFAULT_TSUNAMI_AREAS = ("391", "400")


@dataclass(frozen=True)
class AreaTable:
    """One prefecture's area codes: its 府県予報区, 一次細分区域, regions with their municipalities, split codes."""

    prefecture_code: str
    prefecture_area: str
    prefecture_name: str
    region_members: dict[str, tuple[str, ...]]  # 市町村等をまとめた地域 -> member municipalities (JIS 5-digit)
    subdivisions: dict[str, tuple[str, ...]]  # 一次細分区域 -> its 市町村等をまとめた地域
    split_municipalities: dict[str, str]  # part of a municipality (landslide-only codes) -> the municipality
    quake_areas: frozenset[str] = field(default_factory=frozenset)
    tsunami_areas: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def read(cls, data: ReferenceData, prefecture_code: str, quake_areas: Iterable[str] = (),
             tsunami_areas: Iterable[str] = ()) -> AreaTable:
        """Build the table of ``prefecture_code`` from the JMA area tables of ``data``."""
        region_members: dict[str, list[str]] = {}
        subdivisions: dict[str, list[str]] = {}
        prefecture_area, prefecture_name = f"{prefecture_code}0000", ""
        for row in data.jma_records("AreaForecastLocal.csv"):
            if len(row) < 6 or not row[0].startswith(prefecture_code):
                continue
            region, primary, office, office_name = row[0], row[2], row[4], row[5]
            prefecture_area, prefecture_name = office or prefecture_area, office_name or prefecture_name
            region_members.setdefault(region, [])
            subdivisions.setdefault(primary, []).append(region)
        split: dict[str, str] = {}
        for row in data.jma_records("CityCode.csv"):  # @code, 地域名, @name, ふりがな, 市町村等をまとめた地域, ...
            if len(row) < 5 or not row[0].startswith(prefecture_code) or len(row[0]) != 7:
                continue
            code, region = row[0], row[4]
            if code.endswith("00") and region in region_members:
                region_members[region].append(code[:5])
            elif not code.endswith("00"):
                split[code] = code[:5]
        return cls(prefecture_code, prefecture_area, prefecture_name,
                   {r: tuple(m) for r, m in region_members.items()},
                   {p: tuple(r) for p, r in subdivisions.items() if p != prefecture_area},
                   split, frozenset(quake_areas), frozenset(tsunami_areas))

    def municipalities(self, code: str) -> frozenset[str]:
        """The JIS municipality codes an area code covers (empty when it is not a land area of the prefecture)."""
        code = str(code)
        if code in self.split_municipalities:
            return frozenset({self.split_municipalities[code]})
        if code == self.prefecture_area:
            return frozenset(m for members in self.region_members.values() for m in members)
        if code in self.subdivisions:
            return frozenset(m for r in self.subdivisions[code] for m in self.region_members.get(r, ()))
        if code in self.region_members:
            return frozenset(self.region_members[code])
        if code.startswith(self.prefecture_code) and len(code) in (5, 6, 7):
            return frozenset({code[:5]})
        return frozenset()


_lock = threading.Lock()
_settings: tuple[str, tuple[str, ...], tuple[str, ...]] = (DEFAULT_PREFECTURE, DEFAULT_QUAKE_AREAS,
                                                            DEFAULT_TSUNAMI_AREAS)
_tables: dict[tuple[object, ...], AreaTable] = {}


def configure(prefecture_code: str, quake_areas: Iterable[str], tsunami_areas: Iterable[str]) -> AreaTable:
    """Scope alerts to this prefecture from now on (``[publish]``; called once at start-up)."""
    global _settings
    with _lock:
        _settings = (prefecture_code, tuple(quake_areas), tuple(tsunami_areas))
    return table()


def table() -> AreaTable:
    """The configured prefecture's areas, read from the reference data in use (once per configuration)."""
    data = reference.current()
    key = (data.jma_dir, *_settings)
    with _lock:
        if key not in _tables:
            _tables[key] = AreaTable.read(data, *_settings)
        return _tables[key]


def municipalities(code: str) -> frozenset[str]:
    """The JIS municipality codes an area code covers (empty when it is not a land area of the prefecture)."""
    return table().municipalities(code)


def in_scope(code: str, areas: list[str], kind: str = "land") -> bool:
    """Whether a JMA area code belongs to one of the configured areas (prefecture, region or town).

    ``kind`` names the code space: "land" (warnings), "quake" (地震細分区域) or "tsunami" (津波予報区);
    the short quake and tsunami codes overlap each other, so they are only compared within their own space.
    """
    t = table()
    code = str(code)
    extra = {"quake": t.quake_areas, "tsunami": t.tsunami_areas}.get(kind, frozenset())
    for area in areas:
        if code == area:
            return True
        if area.endswith("0000") and len(code) >= 6 and code.startswith(area[:2]):
            return True
        if area == t.prefecture_area and code in extra:
            return True
        if t.municipalities(code) and t.municipalities(code) <= t.municipalities(area):
            return True
    return False


def overlaps(alert_codes: list[str], subscribed: list[str]) -> bool:
    """Whether an alert's areas touch a subscription's municipalities (empty subscription = the whole prefecture)."""
    if not subscribed:
        return True
    t = table()
    wanted = {str(c)[:5] for c in subscribed}
    covered: set[str] = set()
    for code in alert_codes:
        covered |= t.municipalities(code)
        if code in t.quake_areas or code in t.tsunami_areas:
            return True  # sea and quake areas are broad: tell every subscriber in the prefecture
    return bool(covered & wanted)


def touches(alert: Alert, area: str | None) -> bool:
    """Whether an alert's areas touch a municipality or area code (every alert does when ``area`` is empty)."""
    return not area or overlaps(alert.area_codes, [area])
