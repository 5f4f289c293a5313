"""What each relayed JMA kind or river threshold means: catalog term, hazard, 警戒レベル and CAP grading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class EventSpec:
    """How one kind of official information is shown and graded."""

    key: str  # catalog id without the "term." prefix
    hazard: str
    level: int | None
    severity: str  # CAP severity
    urgency: str  # CAP urgency
    category: str = "Met"  # CAP category


def _spec(key: str, hazard: str, level: int | None, severity: str, urgency: str = "Expected",
          category: str = "Met") -> EventSpec:
    return EventSpec(key, hazard, level, severity, urgency, category)


# Kinds relayed to residents; other advisories (雷, 乾燥, 濃霧 ...) stay on the operators' map only.
EVENTS: Final = {
    "大雨特別警報": _spec("heavy_rain_emergency_warning", "heavy_rain", 5, "Extreme", "Immediate"),
    "暴風特別警報": _spec("storm_emergency_warning", "storm", None, "Extreme", "Immediate"),
    "高潮特別警報": _spec("storm_surge_emergency_warning", "storm_surge", 5, "Extreme", "Immediate"),
    "大雨危険警報": _spec("heavy_rain_urgent_warning", "heavy_rain", 4, "Severe", "Immediate"),
    "洪水危険警報": _spec("flood_urgent_warning", "flood", 4, "Severe", "Immediate"),
    "高潮危険警報": _spec("storm_surge_urgent_warning", "storm_surge", 4, "Severe", "Immediate"),
    "土砂災害危険警報": _spec("landslide_urgent_warning", "landslide", 4, "Severe", "Immediate", "Geo"),
    "大雨警報": _spec("heavy_rain_warning", "heavy_rain", 3, "Severe"),
    "洪水警報": _spec("flood_warning", "flood", 3, "Severe"),
    "暴風警報": _spec("storm_warning", "storm", None, "Severe"),
    "高潮警報": _spec("storm_surge_warning", "storm_surge", 4, "Severe"),
    "大雨注意報": _spec("heavy_rain_advisory", "heavy_rain", 2, "Moderate"),
    "洪水注意報": _spec("flood_advisory", "flood", 2, "Moderate"),
    "高潮注意報": _spec("storm_surge_advisory", "storm_surge", 2, "Moderate"),
    "土砂災害警戒情報": _spec("landslide_alert_info", "landslide", 4, "Severe", "Immediate", "Geo"),
    "記録的短時間大雨情報": _spec("record_short_heavy_rain_info", "heavy_rain", None, "Severe", "Immediate"),
    "氾濫注意情報": _spec("flood_caution_info", "flood", 2, "Moderate"),
    "氾濫警戒情報": _spec("flood_alert_info", "flood", 3, "Severe"),
    "氾濫危険情報": _spec("flood_danger_info", "flood", 4, "Severe", "Immediate"),
    "氾濫発生情報": _spec("flood_occurred_info", "flood", 5, "Extreme", "Immediate"),
    "大津波警報": _spec("major_tsunami_warning", "tsunami", None, "Extreme", "Immediate", "Geo"),
    "津波警報": _spec("tsunami_warning", "tsunami", None, "Severe", "Immediate", "Geo"),
    "津波注意報": _spec("tsunami_advisory", "tsunami", None, "Moderate", "Immediate", "Geo"),
    "地震情報": _spec("earthquake_info", "earthquake", None, "Moderate", "Past", "Geo"),
}
# River thresholds (基準水位): catalog id and the 警戒レベル相当 they mark.
THRESHOLDS: Final = {
    "水防団待機水位": ("threshold.standby", 1),
    "氾濫注意水位": ("threshold.caution", 2),
    "避難判断水位": ("threshold.evacuation", 3),
    "氾濫危険水位": ("threshold.danger", 4),
    "計画高水位": ("threshold.planned", 5),
}
CAUTION_THRESHOLD: Final = "氾濫注意水位"
_LEVEL_PREFIX = re.compile(r"^レベル[0-9０-９]")
# JMA seismic intensity codes -> catalog id of the label (plain digits need none).
INTENSITY_LABELS: Final = {"5-": "intensity_label_5_lower", "5+": "intensity_label_5_upper",
                           "6-": "intensity_label_6_lower", "6+": "intensity_label_6_upper"}
INTENSITY_ORDER: Final = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")


def base_name(kind_name: str) -> str:
    """Drop the level prefix of the 2026 names (レベル４大雨危険警報 -> 大雨危険警報)."""
    return _LEVEL_PREFIX.sub("", kind_name or "").strip()


def event_for(kind_name: str) -> EventSpec | None:
    """The spec of a relayed kind, or None when residents are not alerted for it."""
    return EVENTS.get(base_name(kind_name))


def threshold_level(name: str | None) -> int:
    """警戒レベル相当 of a threshold name (0 when unknown)."""
    return THRESHOLDS.get(name or "", ("", 0))[1]


def intensity_rank(code: str | None) -> int:
    """Order of a JMA intensity code (0 when unknown), so intensities can be compared."""
    return INTENSITY_ORDER.index(code) + 1 if code in INTENSITY_ORDER else 0


def cap_status(status: str, headline: str = "") -> str:
    """CAP status of a telegram: 訓練 -> Exercise, 試験 or a test-sample headline -> Test, else Actual."""
    if status == "訓練" or "訓練" in headline:
        return "Exercise"
    if status == "試験" or "試験" in headline or "テストサンプル" in headline:
        return "Test"
    return "Actual"
