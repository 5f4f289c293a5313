"""Metrics over probability matrices: per-label P/R/F1, category macro-F1, confusion, calibration and how much
the headline figures could move with another draw of posts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from classifier.labels import HEAD_NAMES


def category_decisions(probs: np.ndarray, threshold: float) -> np.ndarray:
    """Chosen categories of (n, categories) probabilities: all at or above threshold, and always the best one.

    SPEC §4 gives every disaster post one or more categories, so a weak best guess beats none.
    """
    chosen = probs >= threshold
    if probs.size:
        chosen[np.arange(len(probs)), probs.argmax(axis=1)] = True
    return chosen


def prf(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and support of boolean predictions against boolean gold labels."""
    tp = float(np.sum(pred & gold))
    p = tp / max(float(np.sum(pred)), 1.0)
    r = tp / max(float(np.sum(gold)), 1.0)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "support": int(gold.sum())}


def calibration(prob: np.ndarray, gold: np.ndarray, bins: int = 10) -> dict[str, object]:
    """Expected calibration error of the disaster probability and its reliability table."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        mask = idx == b
        if not mask.any():
            continue
        conf, acc = float(prob[mask].mean()), float(gold[mask].mean())
        ece += mask.mean() * abs(conf - acc)
        table.append({"bin": b, "count": int(mask.sum()), "confidence": round(conf, 4), "accuracy": round(acc, 4)})
    return {"ece": round(float(ece), 4), "reliability": table}


def score(probs: np.ndarray, gold: np.ndarray, *, threshold: float = 0.5, category_threshold: float = 0.4) -> dict:
    """All metrics for (n, 1 + categories) probabilities and 0/1 targets in the HEAD_NAMES order.

    Categories are scored on the posts that are disasters in the gold labels, as the operator sees them.
    """
    gold = gold.astype(bool)
    pred_d = probs[:, 0] >= threshold
    out: dict = {"n": len(gold), "disaster": prf(pred_d, gold[:, 0])}
    out["other"] = prf(~pred_d, ~gold[:, 0])
    out["accuracy"] = round(float(np.mean(pred_d == gold[:, 0])), 4)
    rows = gold[:, 0]
    chosen = category_decisions(probs[rows, 1:], category_threshold)
    cats = {name: prf(chosen[:, j], gold[rows, j + 1]) for j, name in enumerate(HEAD_NAMES[1:])}
    out["categories"] = cats
    out["category_macro_f1"] = round(float(np.mean([c["f1"] for c in cats.values()])), 4)
    tn = int(np.sum(~pred_d & ~gold[:, 0]))
    fp, fn, tp = int(np.sum(pred_d & ~gold[:, 0])), int(np.sum(~pred_d & gold[:, 0])), int(np.sum(pred_d & gold[:, 0]))
    out["confusion"] = {"labels": ["other", "disaster"], "matrix": [[tn, fp], [fn, tp]]}
    out["calibration"] = calibration(probs[:, 0], gold[:, 0].astype(float))
    return out


def _headline(m: dict) -> tuple[float, float]:
    return m["disaster"]["f1"], m["category_macro_f1"]


def _bootstrap(n: int, figures: Callable[[np.ndarray], tuple[float, float]], *, rounds: int, level: float,
               seed: int) -> dict[str, object]:
    """Percentile interval of two figures over ``rounds`` resamples (with replacement) of n posts."""
    rng = np.random.default_rng(seed)
    draws = np.array([figures(rng.integers(0, n, n)) for _ in range(rounds)])
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return {"level": level, "rounds": rounds,
            "disaster_f1": [round(float(lo[0]), 4), round(float(hi[0]), 4)],
            "category_macro_f1": [round(float(lo[1]), 4), round(float(hi[1]), 4)]}


def bootstrap_interval(probs: np.ndarray, gold: np.ndarray, *, threshold: float = 0.5, category_threshold: float = 0.4,
                       rounds: int = 1000, level: float = 0.95, seed: int = 0) -> dict[str, object]:
    """Percentile bootstrap over posts of F1(disaster) and category macro-F1.

    A real set of a few hundred posts moves F1 by about 0.01 a post; the interval says which differences between
    a model and a bar such a set can tell apart. Seeded, so a report is reproducible.
    """
    def figures(idx: np.ndarray) -> tuple[float, float]:
        return _headline(score(probs[idx], gold[idx], threshold=threshold, category_threshold=category_threshold))

    return _bootstrap(len(gold), figures, rounds=rounds, level=level, seed=seed)


def paired_difference(probs: np.ndarray, baseline: np.ndarray, gold: np.ndarray, *, cuts: dict[str, float],
                      baseline_cuts: dict[str, float], rounds: int = 1000, level: float = 0.95,
                      seed: int = 0) -> dict[str, object]:
    """A model's F1(disaster) and macro-F1 minus a baseline's on the same posts, with a paired bootstrap interval.

    Both models are scored on each resample, so what the two get right or wrong together cancels: the interval is
    much narrower than the gap between two separate intervals, and it is what a choice between two runs needs.
    """
    def figures(idx: np.ndarray) -> tuple[float, float]:
        mine = _headline(score(probs[idx], gold[idx], **cuts))
        theirs = _headline(score(baseline[idx], gold[idx], **baseline_cuts))
        return mine[0] - theirs[0], mine[1] - theirs[1]

    whole = figures(np.arange(len(gold)))
    return {"difference": {"disaster_f1": round(whole[0], 4), "category_macro_f1": round(whole[1], 4)},
            **_bootstrap(len(gold), figures, rounds=rounds, level=level, seed=seed)}
