"""Early exit as served: the screen's posts leave after its layer, the others get the full model's scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from classifier.early_exit import EXITED_LOGIT, cascade_logits
from classifier.infer import load_classifier
from classifier.modeling import BosaiBert, Screen, screen_of
from classifier.scoring import UNSCORED
from kernel.errors import ModelError


def test_cascade_runs_the_rest_only_for_posts_the_screen_passes() -> None:
    screen_logits = np.array([2.0, -3.0, 0.25, -0.5], dtype=np.float32)
    seen = []

    def first(ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ids.astype(np.float32)[:, :, None], screen_logits

    def rest(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        seen.append(states[:, 0, 0].tolist())
        return np.full((len(states), 3), 5.0, dtype=np.float32) + states[:, 0, :1]

    ids = np.arange(8).reshape(4, 2)
    out = cascade_logits(first, rest, ids, np.ones_like(ids), screen=Screen(layer=1, threshold=0.5),
                         disaster_index=0, outputs=3)
    assert seen == [[0.0, 4.0]]  # rows 0 and 2 (logit >= 0 at a threshold of 0.5), nothing else
    np.testing.assert_array_equal(out[[0, 2]], [[5.0] * 3, [9.0] * 3])
    np.testing.assert_array_equal(out[[1, 3], 0], [-3.0, -0.5])  # the screen's score, under its threshold
    assert (out[[1, 3], 1:] == EXITED_LOGIT).all()


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
