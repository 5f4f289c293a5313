"""The table of JMA kind codes that drives the relay: one row per (system, code) in data/jma_kinds.csv.

JMA reuses codes across systems (code 08 is 高潮警報, 警戒レベル４相当, in the H27 system and
レベル３高潮警報 in R06), so a code is looked up in the table of the system its item belongs to. An item
whose code is not in the table is still relayed, by its name and the level written in it, and logged.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

KINDS_CSV: Final = Path(__file__).resolve().parent / "data" / "jma_kinds.csv"
_LEVEL_IN_NAME: Final = re.compile(r"(?:警戒)?レベル([1-5])")
# Hazard words in a kind name, for an unknown code: (word, family, hazard, CAP category).
_NAME_HAZARDS: Final = (("土砂", "landslide", "landslide", "Geo"), ("氾濫", "river", "flood", "Met"),
                        ("洪水", "flood", "flood", "Met"), ("高潮", "storm_surge", "storm_surge", "Met"),
                        ("大雨", "heavy_rain", "heavy_rain", "Met"), ("津波", "tsunami", "tsunami", "Geo"),
                        ("暴風", "wind", "storm", "Met"), ("大雪", "snow", "snow", "Met"),
                        ("波浪", "waves", "waves", "Met"))
_SEVERITY_BY_LEVEL: Final = {5: "Extreme", 4: "Severe", 3: "Severe", 2: "Moderate"}
# How long an alert stays in force when no later telegram restates or ends it (docs/alerts.md).
# Warnings, advisories, rivers and tsunami: DEFAULT_EXPIRY, moved on by every telegram that restates them.
EXPIRY: Final = {"record_rain": timedelta(hours=1), "linear_rainband": timedelta(hours=3),
                 "earthquake": timedelta(hours=12), "nankai": timedelta(days=7)}
DEFAULT_EXPIRY: Final = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What one JMA kind means for residents: its alert family, 警戒レベル and CAP grading."""

    system: str  # h27, r06, landslide, flood, flood_r06, tsunami, heavy_rain, linear_rainband, earthquake, nankai
    code: str
    name: str
    family: str  # kinds of one family replace each other in an area (注意報 -> 警報 -> 特別警報)
    event_key: str  # catalog id of the term, without "term."
    hazard: str
    level: int | None  # 警戒レベル相当
    severity: str
    urgency: str
    certainty: str
    category: str
    relay: bool  # False: shown to operators only (雷注意報, 乾燥注意報 ...)
    template: str  # headline kind of the message catalog: issued, earthquake, info
    source: str
    known: bool = True  # False for an item whose code is not in the table

    @property
    def expiry(self) -> timedelta:
        """The documented validity rule of the family, used when the telegram gives none."""
        return EXPIRY.get(self.family.split(":")[0], DEFAULT_EXPIRY)  # river:<code>, earthquake:<EventID>


@cache
def table() -> dict[tuple[str, str], KindSpec]:
    """Every row of the table, keyed by (system, code)."""
    with KINDS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {(r["system"], r["code"]): KindSpec(
        system=r["system"], code=r["code"], name=r["name"], family=r["family"], event_key=r["event_key"],
        hazard=r["hazard"], level=int(r["level"]) if r["level"] else None, severity=r["severity"],
        urgency=r["urgency"], certainty=r["certainty"], category=r["category"], relay=r["relay"] == "1",
        template=r["template"], source=r["source"]) for r in rows}


def by_key(system: str, code: str = "") -> KindSpec:
    """A row that must exist (the one-per-product kinds: earthquake, nankai, linear rainband ...)."""
    return table()[(system, code)]


def _text(value: object) -> str:
    return unicodedata.normalize("NFKC", value if isinstance(value, str) else "")


def level_in_name(name: str | None) -> int | None:
    """The 警戒レベル written in a kind name (レベル４大雨危険警報 -> 4), if any."""
    match = _LEVEL_IN_NAME.search(_text(name))
    return int(match.group(1)) if match else None


def warning_system(name: str | None) -> str:
    """r06 for the level-named kinds of the 2026 system, h27 otherwise."""
    return "r06" if level_in_name(name) is not None and "レベル" in _text(name) else "h27"


def lookup(system: str, code: object, name: object) -> KindSpec:
    """The spec of an item's kind; an unknown code still gives a relayed spec built from its name."""
    code_s, name_s = str(code or ""), name if isinstance(name, str) else ""
    spec = table().get((system, code_s)) or (_by_name(system, name_s) if not code_s else None)
    if spec is not None:
        return replace(spec, name=name_s) if name_s else spec
    return _from_name(system, code_s, name_s)


def _by_name(system: str, name: str | None) -> KindSpec | None:
    """The row of a kind named without its code (some hand-made feeds and old tests give names only)."""
    return next((s for (sys, _), s in table().items() if sys == system and s.name == name), None)


@cache
def _from_name(system: str, code: str, name: str) -> KindSpec:
    level = level_in_name(name)
    family, hazard, category = next(((fam, haz, cat) for word, fam, haz, cat in _NAME_HAZARDS if word in name),
                                    (f"code_{code or name}", "other", "Met"))
    special = "特別警報" in name or (level or 0) >= 5
    severity = "Extreme" if special else _SEVERITY_BY_LEVEL.get(level or 0, "Severe" if "警報" in name else "Moderate")
    log.warning("jma_kind_unknown system=%s code=%s name=%s level=%s relayed_by_name=true",
                system, code, name, level)
    return KindSpec(system=system, code=code, name=name, family=family, event_key="", hazard=hazard, level=level,
                    severity=severity, urgency="Immediate" if (level or 0) >= 4 or special else "Expected",
                    certainty="Likely", category=category, relay=True, template="issued",
                    source="not in the table: relayed by its name", known=False)
