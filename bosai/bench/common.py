"""What the benchmarks share: the posts they replay and the local X stream's token variable."""

from __future__ import annotations

import json
from pathlib import Path

TEXTS_FILE = Path(__file__).resolve().parents[2] / "classifier" / "data" / "test.jsonl"
X_TOKEN_ENV = "BOSAI_BENCH_X_TOKEN"


def load_texts(limit: int = 5000) -> list[str]:
    """Realistic posts to replay: the classifier's test split (disaster and hard negatives mixed)."""
    texts = []
    with TEXTS_FILE.open(encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) >= limit:
                break
    return texts
