"""The river forecast residents may see: collectors.gauge_forecast, shown only where its own backtest beats
persistence on the gauge's stored history.

Why a gate: a trend extrapolation looks authoritative on a chart. On the demo's eight hydrographs the 1 h
trend forecast halves the error of "the level stays as it is", the 2 h one is barely better, and the 3 h one
is worse (docs/public.md). So each horizon is backtested per gauge on what the gauge measured, and shown,
with its measured mean error, only when it is clearly better than persistence on enough samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from collectors.gauge_forecast import backtest, forecast

HORIZONS_H: Final = (1.0, 2.0, 3.0)
MIN_SAMPLES: Final = 12  # backtest points needed before a horizon may be shown (2 h of 10-minute readings)
MAX_ERROR_RATIO: Final = 0.8  # shown only when its error is at most 80 % of persistence's


def useful(result: dict[str, float | int]) -> bool:
    """Whether one horizon's backtest says the forecast is worth showing."""
    mae, naive, n = float(result["mae"]), float(result["persistence_mae"]), int(result["n"])
    if n < MIN_SAMPLES or math.isnan(mae) or math.isnan(naive) or naive <= 0:
        return False
    return mae <= MAX_ERROR_RATIO * naive


def outlook(series: Sequence[tuple[datetime, float]]) -> list[dict[str, Any]]:
    """The forecast of each useful horizon with its backtest error (empty when none is useful)."""
    if len(series) < 3:
        return []
    scores = backtest(series, HORIZONS_H)
    predicted = forecast(series, HORIZONS_H)
    last_at = series[-1][0]
    out = []
    for h in HORIZONS_H:
        result = scores.get(f"{h:g}h")
        if result is None or not useful(result):
            continue
        out.append({"hours": h, "at": (last_at + timedelta(hours=h)).isoformat(), "level_m": round(predicted[h], 2),
                    "mae_m": round(float(result["mae"]), 2),
                    "persistence_mae_m": round(float(result["persistence_mae"]), 2), "n": int(result["n"])})
    return out

