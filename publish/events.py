"""River thresholds, seismic intensities and CAP status: the official scales alerts are graded on.

JMA kinds are graded by code in ``publish.kinds`` (data/jma_kinds.csv).
"""

from __future__ import annotations

from typing import Final

# River thresholds (基準水位): catalog id and the 警戒レベル相当 they mark.
THRESHOLDS: Final = {
    "水防団待機水位": ("threshold.standby", 1),
    "氾濫注意水位": ("threshold.caution", 2),
    "避難判断水位": ("threshold.evacuation", 3),
    "氾濫危険水位": ("threshold.danger", 4),
    "計画高水位": ("threshold.planned", 5),
}
CAUTION_THRESHOLD: Final = "氾濫注意水位"
# JMA seismic intensity codes -> catalog id of the label (plain digits need none).
INTENSITY_LABELS: Final = {"5-": "intensity_label_5_lower", "5+": "intensity_label_5_upper",
                           "6-": "intensity_label_6_lower", "6+": "intensity_label_6_upper"}
INTENSITY_ORDER: Final = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")


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
