"""Bias calibration moves the best dev threshold onto the served one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from classifier.calibrate import apply_shifts, best_threshold, bias_shifts, disaster_shift, everyday_posts


def test_best_threshold_finds_the_separating_point() -> None:
    prob = np.array([0.1, 0.2, 0.65, 0.7, 0.8, 0.9])
    gold = np.array([0, 0, 0, 1, 1, 1], bool)
    assert best_threshold(prob, gold) == pytest.approx(0.7)


def test_shift_makes_served_threshold_reproduce_the_best_one() -> None:
    rng = np.random.default_rng(0)
    gold = np.zeros((40, 3))
    gold[:20, 0] = 1
    gold[:10, 1] = 1
    probs = np.clip(rng.uniform(0, 0.3, (40, 3)) + gold * 0.5, 0.01, 0.99)
    shifts = bias_shifts(probs, gold)
    assert len(shifts) == 3 and shifts[2] == 0.0  # no gold positives: untouched
    layer = torch.nn.Linear(2, 3)
    before = layer.bias.detach().clone()
    apply_shifts(layer, shifts)
    assert torch.allclose(layer.bias - before, torch.tensor(shifts, dtype=torch.float32))
    logits = torch.logit(torch.tensor(probs[:, 0], dtype=torch.float64)) + shifts[0]
    best = best_threshold(probs[:, 0], gold[:, 0].astype(bool))
    assert np.array_equal((torch.sigmoid(logits).numpy() >= 0.5), probs[:, 0] >= best - 1e-9)


def test_everyday_cap_counts_the_posts_evaluate_reports_ambiguous_ones_included() -> None:
    rows = [{"kind": "everyday", "label": "other"}, {"kind": "everyday", "label": "other", "ambiguous": True},
            {"kind": "commentary", "label": "other"}, {"kind": "everyday", "label": "disaster"}]
    assert everyday_posts(rows).tolist() == [True, True, False, False]


def test_disaster_shift_keeps_everyday_false_positives_under_the_cap() -> None:
    prob = np.array([0.9, 0.6, 0.7, 0.3, 0.2])
    gold = np.array([1, 1, 0, 0, 0])
    everyday = np.array([0, 0, 1, 1, 1], dtype=bool)
    loose = disaster_shift(prob, gold, everyday, max_everyday_fp=1.0)
    strict = disaster_shift(prob, gold, everyday, max_everyday_fp=0.0)
    assert strict < loose  # a stricter cap moves the threshold up (a more negative shift)
    threshold = 1 / (1 + np.exp(strict))  # the raw probability that the shift moves onto 0.5
    assert round(threshold, 2) == 0.75 and (prob[everyday] >= threshold).mean() == 0.0
