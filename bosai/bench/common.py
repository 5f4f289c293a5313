"""What the benchmarks share: the posts they replay and the local X stream's token variable."""

from __future__ import annotations

import json
from pathlib import Path

TEXTS_FILE = Path(__file__).resolve().parents[2] / "classifier" / "data" / "test.jsonl"
X_TOKEN_ENV = "BOSAI_BENCH_X_TOKEN"


def load_texts(limit: int = 5000, path: Path = TEXTS_FILE) -> list[str]:
    """Posts to replay, the "text" of each JSON line: by default the classifier's test split (disaster and hard
    negatives mixed)."""
    texts: list[str] = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
            text = row.get("text") if isinstance(row, dict) else None
            if not isinstance(text, str) or not text:
                raise ValueError(f"{path}:{lineno}: a JSON line with a non-empty \"text\" is needed")
            texts.append(text)
            if len(texts) >= limit:
                break
    return texts
