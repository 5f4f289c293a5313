"""Short-range forecast backtested on a synthetic flood hydrograph."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from collectors.gauge_forecast import backtest, forecast, value_at

T0 = datetime(2026, 9, 12, 12, tzinfo=UTC)


def hydrograph(shift_h: float = 0.0, base: float = 1.0, peak: float = 3.0, hours: float = 18.0):
    """Gamma-shaped rise and recession sampled every 10 minutes, peaking about 6 h after the start."""
    series = []
    for i in range(int(hours * 6) + 1):
        t = i / 6.0 - shift_h
        rise = (t / 6.0) ** 3 * math.exp(3 * (1 - t / 6.0)) if t > 0 else 0.0
        series.append((T0 + timedelta(minutes=10 * i), base + peak * rise))
    return series


def test_value_at_interpolates() -> None:
    series = [(T0, 1.0), (T0 + timedelta(hours=1), 3.0)]
    assert value_at(series, T0 + timedelta(minutes=30)) == pytest.approx(2.0)
    assert value_at(series, T0 - timedelta(minutes=1)) is None


def test_trend_extrapolation_on_a_straight_rise() -> None:
    series = [(T0 + timedelta(minutes=10 * i), 1.0 + 0.1 * i) for i in range(7)]
    out = forecast(series, (1, 2, 3))
    assert out[1] == pytest.approx(2.2) and out[3] == pytest.approx(3.4)


def test_backtest_trend_beats_persistence_at_1h() -> None:
    result = backtest(hydrograph(), (1, 2, 3))
    assert set(result) == {"1h", "2h", "3h"}
    assert result["1h"]["n"] > 50
    assert result["1h"]["mae"] < result["1h"]["persistence_mae"]
    assert result["1h"]["mae"] < result["3h"]["mae"]


def test_upstream_lag_beats_trend_within_the_lag() -> None:
    downstream = hydrograph(shift_h=2.0)
    upstream = hydrograph()
    with_lag = backtest(downstream, (1, 2), upstream=upstream, lag_h=2.0, min_history_h=2.0)
    trend_only = backtest(downstream, (1, 2), min_history_h=2.0)
    assert with_lag["2h"]["mae"] < 0.01 < trend_only["2h"]["mae"]
    assert with_lag["1h"]["mae"] < trend_only["1h"]["mae"]


def test_empty_series() -> None:
    assert forecast([]) == {} and backtest([]) == {}
