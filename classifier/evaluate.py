"""Evaluation of a checkpoint on labelled JSONL: P/R/F1 per label and category, confusion and calibration plots."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from classifier.calibrate import everyday_posts
from classifier.examples import load_examples, targets
from classifier.infer import BertClassifier
from classifier.labels import DISASTER
from classifier.scoring import bootstrap_interval, paired_difference, score
from classifier.textnorm import with_post_forms
from kernel.extras import require

log = logging.getLogger(__name__)


def evaluate_rows(clf: BertClassifier, rows: list[dict[str, Any]]) -> tuple[dict[str, Any], np.ndarray]:
    """Score a classifier on examples; returns the metrics, with their 95 % bootstrap interval, and the
    probability matrix."""
    probs = clf.predict_proba([r["text"] for r in rows])
    gold = np.array([targets(r) for r in rows])
    cuts = _cuts(clf)
    metrics = score(probs, gold, **cuts)
    metrics["interval"] = bootstrap_interval(probs, gold, **cuts)
    return metrics, probs


def _cuts(clf: BertClassifier) -> dict[str, float]:
    return {"threshold": clf.threshold, "category_threshold": clf.category_threshold}


def compare_rows(clf: BertClassifier, probs: np.ndarray, baseline: BertClassifier,
                 rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How much better ``clf`` (its probabilities already computed) does than ``baseline`` on the same posts."""
    gold = np.array([targets(r) for r in rows])
    theirs = baseline.predict_proba([r["text"] for r in rows])
    return {"baseline": baseline.version,
            **paired_difference(probs, theirs, gold, cuts=_cuts(clf), baseline_cuts=_cuts(baseline))}


def real_post_rates(rows: list[dict[str, Any]], flagged: np.ndarray) -> dict[str, Any]:
    """False-positive rates by kind of post, for sets that say each post's ``kind`` (the real sets).

    Real streams are mostly everyday posts: their false-positive rate is what fills an operator's queue.
    """
    kinds = [str(r.get("kind") or "") for r in rows]
    if not any(kinds):
        return {}
    everyday = everyday_posts(rows)
    hard = np.array([r["label"] != DISASTER for r in rows]) & ~everyday

    def rate(mask: np.ndarray) -> float | None:
        return round(float(flagged[mask].mean()), 4) if mask.any() else None

    return {"everyday_false_positive_rate": rate(everyday), "everyday_n": int(everyday.sum()),
            "hard_negative_false_positive_rate": rate(hard), "hard_negative_n": int(hard.sum())}


POST_FORM_SEED = 0


def post_form_figures(clf: BertClassifier, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline figures again with every post in one of the forms real posts come in (a link, an @-name or
    a retweet prefix; classifier.textnorm, seeded): what those forms alone cost, on sets that mostly lack them."""
    texts = with_post_forms([r["text"] for r in rows], 1.0, POST_FORM_SEED)  # the classifier normalises them
    probs = clf.predict_proba(texts)
    metrics = score(probs, np.array([targets(r) for r in rows]), **_cuts(clf))
    rates = real_post_rates(rows, probs[:, 0] >= clf.threshold)
    return {"disaster_f1": metrics["disaster"]["f1"], "category_macro_f1": metrics["category_macro_f1"],
            "everyday_false_positive_rate": rates.get("everyday_false_positive_rate")}


def set_figures(clf: BertClassifier, rows: list[dict[str, Any]], probs: np.ndarray) -> dict[str, Any]:
    """What a set reports beside the scores: false-positive rates by kind (where its posts say their kind) and
    the figures with its posts in post forms."""
    return {**real_post_rates(rows, probs[:, 0] >= clf.threshold), "post_forms": post_form_figures(clf, rows)}


def _pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend, imported only to draw (it is in the [train] extra)."""
    require("train", "the evaluation plots (confusion matrix, calibration)", ("matplotlib",))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(metrics: dict[str, Any], path: Path, title: str) -> Path:
    """Write the disaster/other confusion matrix as a PNG."""
    matrix = np.array(metrics["confusion"]["matrix"])
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4, 3.5))
    ax.imshow(matrix, cmap="Blues")
    labels = metrics["confusion"]["labels"]
    ax.set_xticks([0, 1], labels=labels)
    ax.set_yticks([0, 1], labels=labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha="center", va="center", color="black" if v < matrix.max() / 2 else "white")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_reliability(metrics: dict[str, Any], path: Path, title: str) -> Path:
    """Write the reliability diagram of the disaster probability as a PNG."""
    table = metrics["calibration"]["reliability"]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.plot([r["confidence"] for r in table], [r["accuracy"] for r in table], "o-")
    ax.set_xlabel("predicted P(disaster)")
    ax.set_ylabel("observed frequency")
    ax.set_title(f"{title} ECE={metrics['calibration']['ece']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def evaluate_files(clf: BertClassifier, files: list[Path], out_dir: Path, name: str,
                   baseline: BertClassifier | None = None) -> dict[str, Any]:
    """Evaluate on JSONL files, write {name}_metrics.json and the two plots into out_dir; return metrics. With a
    baseline, the metrics also say how much better the model does than it on these posts (``against``)."""
    rows = load_examples(files)
    if not rows:
        raise ValueError(f"no valid examples in {[str(f) for f in files]}")
    metrics, probs = evaluate_rows(clf, rows)
    metrics.update(set_figures(clf, rows, probs))
    if baseline is not None:
        metrics["against"] = compare_rows(clf, probs, baseline, rows)
    metrics["model_version"] = clf.version
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}_metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    plot_confusion(metrics, out_dir / f"{name}_confusion.png", name)
    plot_reliability(metrics, out_dir / f"{name}_reliability.png", name)
    log.info("evaluated set=%s n=%d f1=%.4f", name, metrics["n"], metrics["disaster"]["f1"])
    return metrics
