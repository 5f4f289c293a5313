"""Pure water-level logic: thresholds to 警戒レベル相当, crossings with hysteresis, trend in m/h."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, model_validator

THRESHOLD_NAMES: Final = {
    1: "水防団待機水位",
    2: "氾濫注意水位",
    3: "避難判断水位",
    4: "氾濫危険水位",
    5: "計画高水位",
}


class Thresholds(BaseModel):
    """The four official 基準水位 of a gauge in metres, plus 計画高水位 where known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    standby: float  # 水防団待機水位 -> level 1
    caution: float  # 氾濫注意水位 -> level 2
    evacuation_judgement: float  # 避難判断水位 -> level 3
    danger: float  # 氾濫危険水位 -> level 4
    plan_high: float | None = None  # 計画高水位 / overflow -> level 5

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        values = self.ladder()
        if any(b < a for a, b in pairwise(values)) or self.standby >= self.caution:
            raise ValueError("thresholds must rise: standby < caution <= evacuation_judgement <= danger <= plan_high")
        return self

    def ladder(self) -> list[float]:
        """Threshold values indexed by level - 1."""
        values = [self.standby, self.caution, self.evacuation_judgement, self.danger]
        return values + ([self.plan_high] if self.plan_high is not None else [])


def raw_level(value: float, thresholds: Thresholds) -> int:
    """The level reached by ``value`` without hysteresis (0 below 水防団待機水位)."""
    level = 0
    for index, threshold in enumerate(thresholds.ladder(), start=1):
        if value >= threshold:
            level = index
    return level


def next_level(current: int, value: float, thresholds: Thresholds, band_m: float) -> int:
    """Level after ``value``: rises at once, falls only once the water is ``band_m`` below a threshold."""
    up = raw_level(value, thresholds)
    if up >= current:
        return up
    return min(current, raw_level(value + band_m, thresholds))


def crossing(previous: int, current: int) -> Literal["up", "down"] | None:
    """Direction of a level change."""
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return None


def trend_m_per_h(points: Sequence[tuple[datetime, float]]) -> float | None:
    """Least-squares slope of (time, level) in metres per hour; None with fewer than two distinct times."""
    if len(points) < 2:
        return None
    t0 = points[0][0]
    xs = [(t - t0).total_seconds() / 3600.0 for t, _ in points]
    ys = [v for _, v in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var
