"""Corpus checks: counts per label and category, hard-negative share, and leakage across splits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from classifier.corpus.generate import SPLITS, near_dup_key
from classifier.examples import DATA_DIR, load_examples


def load_splits(data_dir: Path = DATA_DIR) -> dict[str, list[dict[str, Any]]]:
    """The three splits of the shipped corpus as example lists."""
    return {s: load_examples([data_dir / f"{s}.jsonl"]) for s in SPLITS}


def report(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Counts, ratios and leakage figures that the datasheet quotes and the tests check."""
    splits = load_splits(data_dir)
    rows = [r for part in splits.values() for r in part]
    negatives = [r for r in rows if r["label"] == "other"]
    hard = [r for r in negatives if r.get("kind") != "daily"]
    keys = {s: {near_dup_key(r["text"]) for r in part} for s, part in splits.items()}
    fams = {s: {r["family"] for r in part} for s, part in splits.items()}
    pairs = [("train", "dev"), ("train", "test"), ("dev", "test")]
    return {
        "total": len(rows),
        "per_split": {s: len(p) for s, p in splits.items()},
        "labels": dict(Counter(r["label"] for r in rows)),
        "categories": dict(Counter(c for r in rows for c in r["categories"])),
        "hard_negative_share": round(len(hard) / len(rows), 4),
        "negative_kinds": dict(Counter(r["kind"] for r in negatives)),
        "styles": dict(Counter(s for r in rows for s in r.get("styles", []))),
        "shared_families": {f"{a}-{b}": len(fams[a] & fams[b]) for a, b in pairs},
        "shared_near_dup_keys": {f"{a}-{b}": len(keys[a] & keys[b]) for a, b in pairs},
    }


if __name__ == "__main__":
    print(json.dumps(report(), ensure_ascii=False, indent=2))  # noqa: T201
