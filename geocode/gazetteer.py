"""The gazetteer store: one JSON file of named places with their match keys, loaded once."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel.errors import BosaiError

log = logging.getLogger(__name__)

FORMAT = "bosai-gazetteer/1"
SHIPPED = Path(__file__).parent / "data" / "gazetteer.json"

# Flags an entry can carry.
CONFUSABLE = "confusable"  # the same name exists elsewhere in Japan: dropped when the text points elsewhere
MIE_MARKER = "mie"  # names the prefecture or one of its regions: supports weak candidates
FOREIGN = "foreign"  # a place outside Mie: blocks overlapping matches, never returned


class GazetteerError(BosaiError):
    """The gazetteer file or its sources are missing or malformed."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One named place: display name, kind, point, municipality code and the spellings that find it."""

    name: str
    kind: str
    lat: float | None
    lng: float | None
    code: str | None = None
    municipality: str | None = None
    keys: tuple[str, ...] = ()  # strong spellings: enough on their own
    weak: tuple[str, ...] = ()  # weak spellings: need support from other places in the text
    flags: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        """Compact JSON form (empty fields left out)."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind, "lat": self.lat, "lng": self.lng}
        for key in ("code", "municipality"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.keys:
            data["keys"] = list(self.keys)
        if self.weak:
            data["weak"] = list(self.weak)
        if self.flags:
            data["flags"] = sorted(self.flags)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """Rebuild an entry from :meth:`to_json` output."""
        return cls(
            name=str(data["name"]), kind=str(data["kind"]),
            lat=None if data.get("lat") is None else float(data["lat"]),
            lng=None if data.get("lng") is None else float(data["lng"]),
            code=data.get("code"), municipality=data.get("municipality"),
            keys=tuple(data.get("keys", ())), weak=tuple(data.get("weak", ())),
            flags=frozenset(data.get("flags", ())),
        )


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """All entries plus where they came from (shown in credits)."""

    entries: tuple[Entry, ...]
    attribution: str = ""
    origin: str = "shipped"


def load(path: Path) -> Gazetteer:
    """Read a gazetteer file; raise :class:`GazetteerError` with the path on any problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GazetteerError(f"cannot read gazetteer {path}: {err}") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GazetteerError(f"{path} is not a {FORMAT} file")
    try:
        entries = tuple(Entry.from_json(item) for item in data["entries"])
    except (KeyError, TypeError, ValueError) as err:
        raise GazetteerError(f"bad entry in gazetteer {path}: {err}") from err
    log.info("gazetteer_loaded path=%s entries=%d", path, len(entries))
    return Gazetteer(entries, str(data.get("attribution", "")), str(data.get("origin", "shipped")))


def save(path: Path, entries: Iterable[Entry], *, attribution: str, origin: str) -> int:
    """Write entries one per line (diff-friendly); return how many were written."""
    items = [json.dumps(e.to_json(), ensure_ascii=False) for e in entries]
    head = json.dumps({"format": FORMAT, "origin": origin, "attribution": attribution}, ensure_ascii=False)
    text = head[:-1] + ', "entries": [\n' + ",\n".join(items) + "\n]}\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return len(items)
