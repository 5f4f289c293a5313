"""Throughput benchmark: our inference path (int8 and fp32) next to a plain transformers pipeline."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from classifier.data import DATA_DIR, load_examples
from classifier.infer import load_classifier

log = logging.getLogger(__name__)


def bench_texts(n_posts: int, data_dir: Path = DATA_DIR) -> list[str]:
    """n_posts texts from the test and hand-written sets, repeated as needed, in a fixed order."""
    files = [p for p in (data_dir / "test.jsonl", data_dir / "handwritten.jsonl") if p.is_file()]
    base = [r["text"] for r in load_examples(files)] or ["川が氾濫して家が浸水してる、助けて"]
    return [base[i % len(base)] for i in range(n_posts)]


def _timed(fn: Any, texts: list[str], batch_size: int) -> dict[str, float]:
    fn(texts[:batch_size])  # warm-up
    lat = []
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        t0 = time.perf_counter()
        fn(texts[start : start + batch_size])
        lat.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    return {
        "posts_per_s": round(len(texts) / total, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_ms": round(float(np.percentile(lat, 95)), 2),
    }


def measure(model_dir: Path, n_posts: int = 2000, *, batch_size: int = 64, threads: int = 2) -> dict[str, Any]:
    """Measure posts/s and per-batch latency of our model and a transformers pipeline on the same checkpoint."""
    from transformers import pipeline

    torch.set_num_threads(threads)
    texts = bench_texts(n_posts)
    ours = load_classifier(Path(model_dir), quantize=True)
    fp32 = load_classifier(Path(model_dir), quantize=False)
    res_q = _timed(lambda t: ours.predict(t, batch_size=batch_size), texts, batch_size)
    res_f = _timed(lambda t: fp32.predict(t, batch_size=batch_size), texts, batch_size)
    pipe = pipeline(
        "text-classification",
        model=str(model_dir),
        tokenizer=fp32.tokenizer,
        device=-1,
        top_k=None,
        function_to_apply="sigmoid",
        dtype=torch.float32,
    )
    res_b = _timed(lambda t: pipe(t, batch_size=batch_size, truncation=True, max_length=96), texts, batch_size)
    agree = float(
        np.mean([a.label == b.label for a, b in zip(ours.predict(texts[:500]), fp32.predict(texts[:500]), strict=True)])
    )
    result = {
        "model_posts_per_s": res_q["posts_per_s"],
        "baseline_posts_per_s": res_b["posts_per_s"],
        "p50_ms": res_q["p50_ms"],
        "p95_ms": res_q["p95_ms"],
        "fp32_posts_per_s": res_f["posts_per_s"],
        "fp32_p50_ms": res_f["p50_ms"],
        "fp32_p95_ms": res_f["p95_ms"],
        "baseline_p50_ms": res_b["p50_ms"],
        "baseline_p95_ms": res_b["p95_ms"],
        "int8_fp32_label_agreement": round(agree, 4),
        "n_posts": n_posts,
        "batch_size": batch_size,
        "threads": threads,
        "model_version": ours.version,
    }
    log.info(
        "bench_done model_posts_per_s=%s baseline_posts_per_s=%s",
        result["model_posts_per_s"],
        result["baseline_posts_per_s"],
    )
    return result


def run_bench(model_dir: Path, n_posts: int = 2000, json_out: bool = False) -> int:
    """CLI entry used by `bosai bench classify`: print a table, or with json_out one JSON line last; exit code."""
    result = measure(Path(model_dir), n_posts)
    lines = [json.dumps(result)] if json_out else [f"{key:28s} {value}" for key, value in result.items()]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
