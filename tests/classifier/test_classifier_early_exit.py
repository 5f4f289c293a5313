"""Early exit as served: the screen's posts leave after its layer, the others get the full model's scores."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from classifier.infer import load_classifier
from classifier.modeling import EXITED_LOGIT, BosaiBert, Screen, screen_of
from classifier.scoring import UNSCORED
from kernel.errors import ModelError


def test_served_logits_run_the_top_layers_only_for_posts_the_screen_passes(tiny_screened_checkpoint: Any) -> None:
    model = BosaiBert.from_pretrained(tiny_screened_checkpoint.path).eval()
    ids = torch.tensor([[2, 15, 16, 3, 0, 0], [2, 15, 16, 17, 18, 3], [2, 20, 3, 0, 0, 0]])
    mask = (ids != 0).long()
    seen = []
    model.bert.encoder.layer[1].register_forward_hook(lambda module, args, out: seen.append(len(args[0])))
    with torch.no_grad():
        screen = model.screen_logit(model.states_through(ids, mask, 1), mask)
        for cut in (float(screen.min()) - 1, float(screen.median()), float(screen.max()) + 1):
            model.config.bosai_screen = {"layer": 1, "threshold": 1 / (1 + math.exp(-cut))}
            seen.clear()
            served = model.served_logits(ids, mask)
            passed = screen >= cut - 1e-6
            assert seen == [int(passed.sum()) + 1]  # the top layer ran once, on the passed posts (and one spare)
            full = model(input_ids=ids, attention_mask=mask).logits
            assert torch.allclose(served[passed], full[passed], atol=1e-5)
            assert torch.allclose(served[~passed, 0], screen[~passed]) and (served[~passed, 1:] == EXITED_LOGIT).all()


@pytest.mark.parametrize("runtime", ["onnxruntime", "torch"])
def test_a_screened_checkpoint_serves_the_full_scores_of_the_posts_it_passes(tiny_mean_checkpoint: Path,
                                                                             tiny_screened_checkpoint: Any,
                                                                             runtime: str) -> None:
    path, texts, threshold = tiny_screened_checkpoint
    assert screen_of(BosaiBert.from_pretrained(path).config) == Screen(layer=1, threshold=threshold)
    full = load_classifier(tiny_mean_checkpoint, runtime=runtime, quantize=False).predict_proba(texts)
    clf = load_classifier(path, runtime=runtime, quantize=False)
    served = clf.predict_proba(texts, batch_size=3)
    passed = served[:, 1:].max(axis=1) > UNSCORED  # exited posts carry no category scores
    assert 0 < passed.sum() < len(texts)
    np.testing.assert_allclose(served[passed], full[passed], atol=1e-5)
    assert (served[~passed, 0] < threshold).all()
    for pred in np.array(clf.to_predictions(served), dtype=object)[~passed]:
        assert pred.label == "other" and pred.categories == ()


def test_both_runtimes_make_the_same_int8_decisions_on_a_screened_checkpoint(tiny_screened_checkpoint: Any) -> None:
    path, texts, _ = tiny_screened_checkpoint
    onnx = load_classifier(path, runtime="onnxruntime", quantize=True).predict_proba(texts)
    eager = load_classifier(path, runtime="torch", quantize=True).predict_proba(texts)
    np.testing.assert_allclose(onnx, eager, atol=0.05)


def test_a_screen_that_would_exit_flagged_posts_is_refused(tiny_screened_checkpoint: Any) -> None:
    path = tiny_screened_checkpoint.path
    # An exited post keeps the screen's score; over the disaster threshold it would read as a flag.
    with pytest.raises(ModelError, match="screen"):
        load_classifier(path, threshold=0.3)
