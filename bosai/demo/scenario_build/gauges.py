"""River gauges of the demo day: invented thresholds and a 10-minute hydrograph with small noise."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any, Final

STEP_MIN: Final = 10
# code, river, station, town code, city, lat, lng, thresholds (待機, 注意, 判断, 危険), base level,
# peak level, rise start and peak time (hours after 06:00), recession time constant (hours).
# Codes, thresholds and levels are INVENTED for the demo; names and places are real rivers/places.
GAUGES: Final = (
    ("2499000101", "雲出川", "大仰", "24201", "津市", 34.6514, 136.4035,
     (3.5, 4.8, 5.9, 6.6), 1.6, 7.05, 1.2, 6.4, 6.5),
    ("2499000102", "鈴鹿川", "高岡", "24207", "鈴鹿市", 34.9009, 136.5863,
     (2.6, 3.6, 4.3, 4.9), 1.1, 4.55, 2.0, 7.4, 3.5),
    ("2499000103", "櫛田川", "両郡橋", "24204", "松阪市", 34.5217, 136.5640,
     (3.0, 4.5, 5.4, 6.1), 1.4, 5.65, 2.4, 8.0, 4.5),
    ("2499000104", "宮川", "岩出", "24461", "玉城町", 34.4720, 136.6669,
     (3.0, 4.5, 6.0, 6.8), 1.5, 4.85, 3.5, 10.0, 5.0),
    ("2499000105", "安濃川", "納所", "24201", "津市", 34.7287, 136.4841,
     (1.6, 2.3, 2.8, 3.3), 0.6, 3.05, 0.6, 4.8, 3.0),
    ("2499000106", "三滝川", "川島", "24202", "四日市市", 34.9687, 136.5499,
     (1.5, 2.2, 2.7, 3.1), 0.5, 2.45, 2.2, 7.0, 2.5),
    ("2499000107", "員弁川", "東員", "24324", "東員町", 35.0747, 136.5840,
     (2.0, 3.0, 3.6, 4.2), 0.8, 2.70, 3.0, 8.5, 3.0),
    ("2499000108", "志登茂川", "江戸橋", "24201", "津市", 34.7432, 136.5182,
     (1.4, 2.0, 2.5, 2.9), 0.4, 2.60, 1.0, 5.5, 3.5),
)
THRESHOLD_KEYS: Final = ("standby", "caution", "evacuation_judgement", "danger")
THRESHOLD_NAMES: Final = ("水防団待機水位", "氾濫注意水位", "避難判断水位", "氾濫危険水位")


def _pulse(hours: float, start: float, peak: float, tau: float) -> float:
    """0 before ``start``, a smooth rise to 1 at ``peak``, then an exponential recession."""
    if hours <= start:
        return 0.0
    if hours <= peak:
        x = (hours - start) / (peak - start)
        return x * x * (3 - 2 * x)
    return math.exp(-(hours - peak) / tau)


def hydrograph(base: float, peak_level: float, start: float, peak: float, tau: float,
               steps: int, rng: random.Random) -> list[float]:
    """Water level every 10 minutes from 06:00, with ±2 cm of gauge noise."""
    return [round(base + (peak_level - base) * _pulse(i * STEP_MIN / 60, start, peak, tau)
                  + rng.uniform(-0.02, 0.02), 2) for i in range(steps)]


def build_gauges(day_start: datetime, day_end: datetime, seed: int) -> dict[str, Any]:
    """The gauges.json document: gauge list with thresholds and each gauge's level series."""
    rng = random.Random(seed)
    steps = int((day_end - day_start) / timedelta(minutes=STEP_MIN)) + 1
    gauges = []
    for code, river, station, town, city, lat, lng, th, base, top, start, peak, tau in GAUGES:
        gauges.append({
            "code": code, "river": river, "station": station, "name": f"{river} {station}",
            "town_code": town, "city": city, "lat": lat, "lng": lng,
            "thresholds_m": dict(zip(THRESHOLD_KEYS, th, strict=True)),
            "levels_m": hydrograph(base, top, start, peak, tau, steps, rng),
        })
    return {
        "invented": True,
        "note": "Gauge codes, thresholds and water levels are invented for the demo; they are not MLIT data.",
        "start": day_start.isoformat(), "step_min": STEP_MIN, "gauges": gauges,
    }
