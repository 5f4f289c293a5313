"""Thresholds -> 警戒レベル相当, hysteresis and trend, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from collectors.gauge_levels import Thresholds, crossing, next_level, raw_level, trend_m_per_h

T = Thresholds(standby=2.0, caution=3.0, evacuation_judgement=3.5, danger=4.0, plan_high=5.0)
T0 = datetime(2026, 9, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "level"),
    [(1.99, 0), (2.0, 1), (2.99, 1), (3.0, 2), (3.5, 3), (3.99, 3), (4.0, 4), (4.99, 4), (5.0, 5), (9.0, 5)],
)
def test_raw_levels(value: float, level: int) -> None:
    assert raw_level(value, T) == level


def test_without_plan_high_the_top_is_4() -> None:
    t = Thresholds(standby=2.0, caution=3.0, evacuation_judgement=3.0, danger=4.0)
    assert raw_level(7.0, t) == 4 and raw_level(3.0, t) == 3  # 判断 may equal 注意


@pytest.mark.parametrize(
    ("current", "value", "expected"),
    [(1, 3.0, 2), (2, 2.97, 2), (2, 2.95, 2), (2, 2.94, 1), (4, 3.2, 2), (0, 4.5, 4), (3, 3.46, 3), (3, 3.44, 2)],
)
def test_hysteresis(current: int, value: float, expected: int) -> None:
    assert next_level(current, value, T, 0.05) == expected


def test_noise_around_a_threshold_does_not_flap() -> None:
    level, changes = 1, []
    for value in (2.9, 3.01, 2.98, 3.02, 2.97, 3.0, 2.96, 2.9):
        new = next_level(level, value, T, 0.05)
        if (c := crossing(level, new)) is not None:
            changes.append(c)
        level = new
    assert changes == ["up", "down"]


@pytest.mark.parametrize("bad", [
    {"standby": 3.0, "caution": 3.0, "evacuation_judgement": 3.5, "danger": 4.0},
    {"standby": 2.0, "caution": 3.0, "evacuation_judgement": 2.5, "danger": 4.0},
    {"standby": 2.0, "caution": 3.0, "evacuation_judgement": 3.5, "danger": 4.0, "plan_high": 3.9},
])
def test_thresholds_must_rise(bad: dict) -> None:
    with pytest.raises(ValidationError, match="thresholds must rise"):
        Thresholds(**bad)


def test_trend() -> None:
    points = [(T0 + timedelta(minutes=10 * i), 2.0 + 0.05 * i) for i in range(7)]
    assert trend_m_per_h(points) == pytest.approx(0.3)
    assert trend_m_per_h(points[:1]) is None
    assert trend_m_per_h([(T0, 1.0), (T0, 2.0)]) is None
