"""Labelled examples: reading and checking JSONL, turning them into targets, and operator decisions."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from classifier.labels import CATEGORIES, DISASTER, LABELS, check_categories

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"


def validate_example(row: Any) -> dict[str, Any]:
    """Return a clean example {text, label, categories, ...} or raise ValueError saying what is wrong."""
    if not isinstance(row, dict):
        raise ValueError("example must be a JSON object")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("example needs a non-empty string 'text'")
    label = row.get("label")
    if label is None:
        raise ValueError("not labelled yet: set 'label' to 'disaster' (with 'categories') or 'other'")
    if label not in LABELS:
        raise ValueError(f"label must be one of {list(LABELS)}, got {label!r}")
    cats = row.get("categories") or []
    if not isinstance(cats, list):
        raise ValueError("'categories' must be a list")
    check_categories(cats)
    if label == DISASTER and not cats:
        raise ValueError("a disaster example needs at least one category")
    return {**row, "text": text.strip(), "label": label, "categories": [] if label != DISASTER else cats}


def load_examples(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Read JSONL example files; bad lines are logged with file and line number and skipped."""
    out: list[dict[str, Any]] = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    out.append(validate_example(json.loads(line)))
                except (ValueError, json.JSONDecodeError) as exc:
                    log.warning("example_skipped file=%s line=%d error=%s", path, lineno, exc)
    return out


def split_files(split: str, data_dir: Path = DATA_DIR) -> list[Path]:
    """The JSONL file of one split of the shipped corpus."""
    return [data_dir / f"{split}.jsonl"]


def targets(example: dict[str, Any]) -> list[float]:
    """The 1 + len(CATEGORIES) multi-label target vector: disaster, then each category."""
    cats = set(example["categories"])
    return [float(example["label"] == DISASTER)] + [float(c in cats) for c in CATEGORIES]


AMBIGUOUS_TARGET = 0.75
NEWS = "news"  # the register of a source written as news reports (classifier.realtext_sources.Source.register)


def training_targets(example: dict[str, Any], ambiguous_target: float = AMBIGUOUS_TARGET) -> list[float]:
    """Targets to train on: a post its labeller marked ``ambiguous`` teaches a softer disaster target, and a
    news report (``register`` "news") teaches the disaster output only, its categories unknown (NaN).

    The SPEC rule, not the text, settled an ambiguous post (a stopped train with the cause only implied), so
    the model should lean its way without learning to be sure of it. A news lead's categories are a report's
    (damage totals, several hazards in one sentence); trained as targets they pulled the category heads away
    from first-hand posts (run 3 of 2026-12-02, classifier/model/README.md).
    """
    y = targets(example)
    if example.get("ambiguous"):
        y[0] = ambiguous_target if y[0] else 1.0 - ambiguous_target
    if example.get("register") == NEWS:
        y[1:] = [math.nan] * len(CATEGORIES)
    return y


def decisions_to_examples(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn operator decisions {text, decision: confirm|dismiss, categories} into training examples.

    A confirmed post becomes a disaster example with the operator's hazard categories (``other_damage``
    when none were given); a dismissed post becomes an ``other`` example. Rows without text or with an
    unknown decision are skipped with a warning, never silently turned into labels.
    """
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        text, decision = (row.get("text") or "").strip(), row.get("decision")
        cats = [c for c in (row.get("categories") or row.get("hazards") or []) if c in CATEGORIES]
        if not text or decision not in ("confirm", "dismiss"):
            log.warning("decision_skipped index=%d decision=%r", i, decision)
            continue
        if decision == "confirm":
            example = {"text": text, "label": DISASTER, "categories": cats or ["other_damage"]}
        else:
            example = {"text": text, "label": "other", "categories": []}
        extra = {k: row[k] for k in ("id", "post_id", "decided_at") if k in row}
        out.append({**example, **extra, "source": "operator"})
    return out
