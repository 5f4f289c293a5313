"""Short-range water-level forecast (1-3 h) by trend extrapolation or an upstream gauge's lag, and its backtest."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from collectors.gauge_levels import trend_m_per_h

Series = Sequence[tuple[datetime, float]]


def value_at(series: Series, when: datetime) -> float | None:
    """Linear interpolation of ``series`` (sorted by time) at ``when``; None outside its range."""
    if not series or when < series[0][0] or when > series[-1][0]:
        return None
    times = [t for t, _ in series]
    i = bisect_left(times, when)
    if times[i] == when:
        return series[i][1]
    (t0, v0), (t1, v1) = series[i - 1], series[i]
    return v0 + (v1 - v0) * (when - t0).total_seconds() / (t1 - t0).total_seconds()


def forecast(
    series: Series,
    horizons_h: Sequence[float] = (1, 2, 3),
    *,
    window_h: float = 1.0,
    upstream: Series | None = None,
    lag_h: float | None = None,
    gain: float = 1.0,
) -> dict[float, float]:
    """Level expected ``h`` hours after the last reading, for each horizon.

    Without ``upstream``: last value plus the least-squares trend of the last ``window_h`` hours.
    With ``upstream`` and ``lag_h``: the downstream change follows the upstream change ``lag_h`` hours
    earlier (times ``gain``); beyond the lag, the upstream's recent trend is carried on.
    """
    if not series:
        return {}
    now, last = series[-1]
    recent = [p for p in series if p[0] >= now - timedelta(hours=window_h)]
    slope = trend_m_per_h(recent) or 0.0
    out = {h: last + slope * h for h in horizons_h}
    if not upstream or not lag_h:
        return out
    origin = now - timedelta(hours=lag_h)
    base = value_at(upstream, origin)
    up_recent = [p for p in upstream if p[0] >= upstream[-1][0] - timedelta(hours=window_h)]
    up_slope = trend_m_per_h(up_recent) or 0.0
    for h in horizons_h:
        ahead = value_at(upstream, origin + timedelta(hours=min(h, lag_h)))
        if base is not None and ahead is not None:
            out[h] = last + gain * (ahead - base + up_slope * max(0.0, h - lag_h))
    return out


def backtest(
    series: Series,
    horizons_h: Sequence[float] = (1, 2, 3),
    *,
    min_history_h: float = 1.0,
    **kwargs: Any,
) -> dict[str, dict[str, float | int]]:
    """Replay ``series``: forecast from each point, compare with what came; MAE per horizon vs persistence."""
    if not series:
        return {}
    start = series[0][0] + timedelta(hours=min_history_h)
    errors: dict[float, list[float]] = {h: [] for h in horizons_h}
    naive: dict[float, list[float]] = {h: [] for h in horizons_h}
    for i, (t, v) in enumerate(series):
        if t < start:
            continue
        upstream = kwargs.get("upstream")
        call = dict(kwargs)
        if upstream is not None:
            call["upstream"] = [p for p in upstream if p[0] <= t]
        predicted = forecast(series[: i + 1], horizons_h, **call)
        for h in horizons_h:
            actual = value_at(series, t + timedelta(hours=h))
            if actual is None:
                continue
            errors[h].append(abs(predicted[h] - actual))
            naive[h].append(abs(v - actual))
    return {
        f"{h:g}h": {
            "mae": sum(errors[h]) / len(errors[h]) if errors[h] else float("nan"),
            "persistence_mae": sum(naive[h]) / len(naive[h]) if naive[h] else float("nan"),
            "n": len(errors[h]),
        }
        for h in horizons_h
    }
