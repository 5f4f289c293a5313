"""Throughput benchmark: our inference paths (ONNX Runtime and torch, int8 and fp32) next to a transformers pipeline."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bosai.bench.common import load_texts
from classifier.examples import DATA_DIR, load_examples
from classifier.infer import load_classifier
from kernel.machine import describe

log = logging.getLogger(__name__)


def bench_texts(n_posts: int, data_dir: Path = DATA_DIR, texts_file: Path | None = None) -> list[str]:
    """n_posts texts, repeated as needed, in a fixed order: from texts_file (JSON lines with "text") or from the
    test and hand-written sets. Real posts are longer than those, and attention costs grow with length."""
    if texts_file is not None:
        base = load_texts(n_posts, texts_file)
        if not base:
            raise ValueError(f"{texts_file}: no posts to benchmark on")
    else:
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


VARIANTS = {  # name: (runtime, quantize); the first is the served default
    "onnx_int8": ("onnxruntime", True),
    "onnx_fp32": ("onnxruntime", False),
    "torch_int8": ("torch", True),
    "torch_fp32": ("torch", False),
}


def _agreement(a: list[Any], b: list[Any]) -> float:
    return round(float(np.mean([x.label == y.label for x, y in zip(a, b, strict=True)])), 4)


def measure(model_dir: Path, n_posts: int = 2000, *, batch_size: int = 64, threads: int = 2,
            texts_file: Path | None = None) -> dict[str, Any]:
    """Measure posts/s and per-batch latency of each runtime and a transformers pipeline on the same checkpoint."""
    from transformers import pipeline

    torch.set_num_threads(threads)
    texts = bench_texts(n_posts, texts_file=texts_file)
    clfs = {
        name: load_classifier(Path(model_dir), runtime=runtime, quantize=quantize, threads=threads)
        for name, (runtime, quantize) in VARIANTS.items()
    }
    timed = {
        name: _timed(lambda t, c=c: c.predict(t, batch_size=batch_size), texts, batch_size) for name, c in clfs.items()
    }
    pipe = pipeline(
        "text-classification",
        model=str(model_dir),
        tokenizer=clfs["torch_fp32"].tokenizer,
        device=-1,
        top_k=None,
        function_to_apply="sigmoid",
        dtype=torch.float32,
    )
    res_b = _timed(lambda t: pipe(t, batch_size=batch_size, truncation=True, max_length=96), texts, batch_size)
    labels = {name: c.predict(texts[:500]) for name, c in clfs.items()}
    ours = timed["onnx_int8"]
    result: dict[str, Any] = {
        "model_posts_per_s": ours["posts_per_s"],
        "baseline_posts_per_s": res_b["posts_per_s"],
        "p50_ms": ours["p50_ms"],
        "p95_ms": ours["p95_ms"],
    }
    for name, res in timed.items():
        result.update({f"{name}_{key}": value for key, value in res.items()})
    result.update(
        {
            "baseline_p50_ms": res_b["p50_ms"],
            "baseline_p95_ms": res_b["p95_ms"],
            "onnx_int8_torch_fp32_label_agreement": _agreement(labels["onnx_int8"], labels["torch_fp32"]),
            "torch_int8_torch_fp32_label_agreement": _agreement(labels["torch_int8"], labels["torch_fp32"]),
            "onnx_fp32_torch_fp32_label_agreement": _agreement(labels["onnx_fp32"], labels["torch_fp32"]),
            "n_posts": n_posts,
            "texts": str(texts_file) if texts_file else "test+handwritten",
            "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
            "batch_size": batch_size,
            "threads": threads,
            "model_version": clfs["onnx_int8"].version,
            **describe(),
        }
    )
    log.info(
        "bench_done model_posts_per_s=%s baseline_posts_per_s=%s",
        result["model_posts_per_s"],
        result["baseline_posts_per_s"],
    )
    return result


def run_bench(model_dir: Path, n_posts: int = 2000, json_out: bool = False, texts_file: Path | None = None) -> int:
    """CLI entry used by `bosai bench classify`: print a table, or with json_out one JSON line last; exit code."""
    result = measure(Path(model_dir), n_posts, texts_file=texts_file)
    lines = [json.dumps(result)] if json_out else [f"{key:28s} {value}" for key, value in result.items()]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
