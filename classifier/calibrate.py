"""Decision-threshold calibration baked into the head: shift each output's bias to its best dev threshold.

The served thresholds (0.5 for disaster, 0.4 for categories) stay fixed in config; after the shift they
fall where F1 on the dev split (frames unseen in training) was highest.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import torch

from classifier.labels import DISASTER
from classifier.scoring import prf

log = logging.getLogger(__name__)

GRID = np.round(np.arange(0.1, 0.91, 0.05), 2)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def best_threshold(prob: np.ndarray, gold: np.ndarray) -> float:
    """The grid threshold with the highest F1 (ties: the one closest to 0.5)."""
    scores = [(prf(prob >= t, gold)["f1"], -abs(t - 0.5), float(t)) for t in GRID]
    return max(scores)[2]


def bias_shifts(
    probs: np.ndarray, gold: np.ndarray, *, threshold: float = 0.5, category_threshold: float = 0.4
) -> list[float]:
    """Per-output logit shifts moving each best dev threshold onto the served threshold."""
    gold = gold.astype(bool)
    rows = gold[:, 0]
    shifts = [_logit(threshold) - _logit(best_threshold(probs[:, 0], gold[:, 0]))]
    for j in range(1, probs.shape[1]):
        if gold[rows, j].sum() == 0:
            shifts.append(0.0)
            continue
        shifts.append(_logit(category_threshold) - _logit(best_threshold(probs[rows, j], gold[rows, j])))
    return shifts


def everyday_posts(rows: list[dict[str, Any]]) -> np.ndarray:
    """Which real posts the everyday false-positive rate is over: everyday posts not labelled disaster.

    Posts marked ambiguous count too (mostly 2011-03-11 tweets of people walking home or stranded, made
    `other` by the labelling rule): the threshold is held to the same rate `bosai evaluate` reports, which
    is the rate the everyday bar is set on. Leaving them out let a threshold through whose reported rate
    on the same dev set was over the cap.
    """
    return np.array([r.get("kind") == "everyday" and r.get("label") != DISASTER for r in rows], dtype=bool)


def disaster_shift(prob: np.ndarray, gold: np.ndarray, everyday: np.ndarray, *, max_everyday_fp: float,
                   threshold: float = 0.5) -> float:
    """The disaster output's shift from real dev posts: the best-F1 threshold among those that flag at most
    ``max_everyday_fp`` of the everyday posts (real streams are mostly everyday text; the triage queue
    must not fill with it). With no such threshold on the grid, the strictest one."""
    gold = gold.astype(bool)
    allowed = [t for t in GRID if not everyday.any() or (prob[everyday] >= t).mean() <= max_everyday_fp]
    best = max(((prf(prob >= t, gold)["f1"], -abs(t - 0.5), float(t)) for t in allowed), default=None)
    chosen = best[2] if best else float(GRID[-1])
    log.info("disaster_threshold_from_real_dev threshold=%.2f everyday_fp_cap=%.3f", chosen, max_everyday_fp)
    return _logit(threshold) - _logit(chosen)


def apply_shifts(classifier_layer: torch.nn.Linear, shifts: list[float]) -> None:
    """Add the shifts to the output layer's bias in place."""
    with torch.no_grad():
        bias = classifier_layer.bias
        bias += torch.tensor(shifts, dtype=bias.dtype, device=bias.device)
    log.info("bias_calibrated shifts=%s", [round(s, 3) for s in shifts])
