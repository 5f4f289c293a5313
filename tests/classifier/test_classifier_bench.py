"""The benchmark reports our figures and the transformers pipeline's, ending with one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bosai.bench import classify as bench


def test_run_bench_json_last_line(
    tiny_checkpoint: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bench.measure
    monkeypatch.setattr(bench, "measure", lambda model_dir, n, **kw: real(model_dir, n, batch_size=16, threads=1, **kw))
    assert bench.run_bench(tiny_checkpoint, 48, True) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("model_posts_per_s", "baseline_posts_per_s", "p50_ms", "p95_ms"):
        assert last[key] > 0, key
    for variant in bench.VARIANTS:
        assert last[f"{variant}_posts_per_s"] > 0 and last[f"{variant}_p95_ms"] >= last[f"{variant}_p50_ms"]
    assert last["model_posts_per_s"] == last["onnx_int8_posts_per_s"]
    assert last["onnx_fp32_torch_fp32_label_agreement"] == 1.0  # the same fp32 graph on two runtimes
    assert 0.0 <= last["torch_int8_torch_fp32_label_agreement"] <= 1.0
    assert last["n_posts"] == 48 and last["texts"] == "test+handwritten"


def test_bench_texts_repeat_to_the_requested_count() -> None:
    texts = bench.bench_texts(10)
    assert len(texts) == 10 and all(isinstance(t, str) and t for t in texts)


def test_bench_texts_from_a_file_of_real_posts(tmp_path: Path) -> None:
    posts = tmp_path / "real.jsonl"
    posts.write_text('{"text": "停電してる"}\n{"text": "今日はカレー", "label": "other"}\n', encoding="utf-8")
    assert bench.bench_texts(5, texts_file=posts) == ["停電してる", "今日はカレー"] * 2 + ["停電してる"]
    posts.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no posts"):
        bench.bench_texts(5, texts_file=posts)
    posts.write_text('{"body": "停電してる"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"real.jsonl:1: .*\"text\""):
        bench.bench_texts(5, texts_file=posts)
    posts.write_text('{"text": "停電"}\n停電してる\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"real.jsonl:2: not JSON"):
        bench.bench_texts(5, texts_file=posts)
