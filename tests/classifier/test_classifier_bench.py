"""The benchmark reports our figures and the transformers pipeline's, ending with one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier import bench


def test_run_bench_json_last_line(
    tiny_checkpoint: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bench.measure
    monkeypatch.setattr(bench, "measure", lambda model_dir, n: real(model_dir, n, batch_size=16, threads=1))
    assert bench.run_bench(tiny_checkpoint, 48, True) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("model_posts_per_s", "baseline_posts_per_s", "p50_ms", "p95_ms", "fp32_posts_per_s"):
        assert last[key] > 0, key
    assert last["p95_ms"] >= last["p50_ms"]
    assert 0.0 <= last["int8_fp32_label_agreement"] <= 1.0
    assert last["n_posts"] == 48


def test_bench_texts_repeat_to_the_requested_count() -> None:
    texts = bench.bench_texts(10)
    assert len(texts) == 10 and all(isinstance(t, str) and t for t in texts)
