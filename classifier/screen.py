"""Fitting a trained model's early-exit screen: a logistic score on one lower layer's mean-pooled states.

The encoder stays as trained; only the screen's weights and its threshold are learnt, after calibration, so a
screened model flags no post its full model would not (the screen can only turn flags into `other`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from torch import nn

from classifier.batching import passes
from classifier.modeling import BosaiBert, Screen, mean_pool

log = logging.getLogger(__name__)

# Exit thresholds tried, highest first; all under the served disaster threshold (0.5), so an exited post's
# score never reads as a flag.
GRID = tuple(np.round(np.arange(0.45, 0.0, -0.05), 2))
# The share of the full model's flags on a selection set the screen may turn into `other`.
MAX_LOST = 0.01


@torch.inference_mode()
def layer_vectors(model: BosaiBert, ids: list[list[int]], pad_id: int, layer: int, bs: int = 128) -> np.ndarray:
    """(n, hidden): the mean of layer ``layer``'s token states of each post, in order."""
    model.eval()
    out = np.zeros((len(ids), model.config.hidden_size), dtype=np.float32)
    device = next(model.parameters()).device
    for chunk in passes([len(x) for x in ids], bs, max_tokens=sys.maxsize):
        width = max(len(ids[i]) for i in chunk)
        batch = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        for row, i in enumerate(chunk):
            batch[row, : len(ids[i])] = torch.tensor(ids[i])
        mask = (batch != pad_id).long().to(device)
        states = model.states_through(batch.to(device), mask, layer)
        out[chunk] = mean_pool(states, mask).float().cpu().numpy()
    return out


def fit_weights(vectors: np.ndarray, target: np.ndarray, *, l2: float = 1e-3, steps: int = 200) -> nn.Linear:
    """A logistic regression (L-BFGS, deterministic) of ``target`` (P(disaster), NaN: unknown) on the vectors."""
    known = ~np.isnan(target)
    x = torch.from_numpy(vectors[known]).double()
    y = torch.from_numpy(target[known]).double()
    weight = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([weight, bias], max_iter=steps, line_search_fn="strong_wolfe")

    def loss_fn() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(x @ weight + bias, y) + l2 * (weight ** 2).sum()
        loss.backward()
        return loss

    opt.step(loss_fn)
    linear = nn.Linear(vectors.shape[1], 1)
    with torch.no_grad():
        linear.weight.copy_(weight.detach().float().unsqueeze(0))
        linear.bias.copy_(bias.detach().float())
    return linear


def exit_threshold(sets: Iterable[tuple[str, np.ndarray, np.ndarray]], *,
                   max_lost: float = MAX_LOST) -> tuple[float, dict[str, Any]]:
    """The highest grid threshold at which, on every set of (name, full-model P(disaster), screen P(disaster)),
    the screen lets go at most ``max_lost`` of the posts the full model flags (at 0.5). With none, the lowest."""
    sets = list(sets)
    report: dict[str, Any] = {}
    for t in GRID:
        report = {}
        for name, full, screened in sets:
            flagged = full >= 0.5
            lost = int((flagged & (screened < t)).sum())
            passed = round(float((screened >= t).mean()), 4)
            report[name] = {"flagged": int(flagged.sum()), "lost": lost, "passed": passed}
        if all(r["lost"] <= max_lost * r["flagged"] for r in report.values()):
            return float(t), report
    return float(GRID[-1]), report


def attach(model: BosaiBert, linear: nn.Linear, screen: Screen) -> None:
    """Give the model its screen: the weights, and the layer and threshold in its config."""
    model.config.bosai_screen = {"layer": screen.layer, "threshold": screen.threshold}
    device = next(model.parameters()).device
    model.screen = linear.to(device)
