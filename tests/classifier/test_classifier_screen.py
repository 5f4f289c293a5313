"""Fitting the early-exit screen: a logistic score on a lower layer, and the threshold that keeps the flags."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from classifier import screen


def test_the_exit_threshold_is_the_highest_that_keeps_the_full_models_flags() -> None:
    full = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.05, 0.3])
    screened = np.array([0.9, 0.5, 0.32, 0.6, 0.2, 0.1, 0.01, 0.4])
    threshold, report = screen.exit_threshold([("dev", full, screened)], max_lost=0.0)
    assert threshold == 0.3  # 0.35 would let the 0.32 post go, which the full model flags
    assert report["dev"] == {"flagged": 4, "lost": 0, "passed": 0.625}
    # One lost flag of four allowed (25 %): the highest grid threshold then loses only that one.
    assert screen.exit_threshold([("dev", full, screened)], max_lost=0.25)[0] == 0.45
    # Every set must hold: a second set whose flagged post scores 0.12 on the screen pulls it down.
    two = [("dev", full, screened), ("real", np.array([0.7, 0.1]), np.array([0.12, 0.3]))]
    assert screen.exit_threshold(two, max_lost=0.0)[0] == 0.1


def test_the_screen_learns_the_disaster_target_and_skips_unknown_ones() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(400, 8)).astype(np.float32)
    target = (vectors[:, 0] + 0.5 * vectors[:, 1] > 0).astype(np.float32)
    target[::7] = np.nan  # unknown: the screen must not read them as either class
    linear = screen.fit_weights(vectors, target)
    with torch.no_grad():
        prob = torch.sigmoid(linear(torch.from_numpy(vectors))).squeeze(-1).numpy()
    known = ~np.isnan(target)
    assert ((prob[known] >= 0.5) == (target[known] == 1)).mean() > 0.95
    assert np.isfinite(prob).all()
    again = screen.fit_weights(vectors, target)  # deterministic: the same data gives the same screen
    assert torch.equal(again.weight, linear.weight)


@pytest.mark.parametrize("layer", [1, 2])
def test_layer_vectors_are_the_mean_of_that_layers_states(layer: int) -> None:
    from classifier.modeling import Arch, new_model

    torch.manual_seed(0)
    model = new_model(60, Arch(layers=2, hidden=16, heads=2, intermediate=32), pooling="mean").eval()
    ids = [[2, 10, 11, 3], [2, 12, 3], [2, 13, 14, 15, 16, 3]]
    vectors = screen.layer_vectors(model, ids, pad_id=0, layer=layer)
    with torch.no_grad():
        for row, x in enumerate(ids):
            states = model.bert(input_ids=torch.tensor([x]), output_hidden_states=True).hidden_states[layer]
            np.testing.assert_allclose(vectors[row], states[0].mean(0).numpy(), atol=1e-5)
