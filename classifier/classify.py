"""The `bosai classify` measurement contract: JSONL {"id"?, "text"} in, one prediction line per input out."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from classifier.infer import BertClassifier

log = logging.getLogger(__name__)


def read_posts(fh: IO[str], *, err: IO[str] | None = None) -> Iterator[tuple[str, str]]:
    """Yield (id, text) per good line; bad lines get a clear message on ``err`` and are skipped."""
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError('expected an object with a string "text"')
        except (json.JSONDecodeError, ValueError) as exc:
            (err or sys.stderr).write(f"classify: line {lineno}: skipped, {exc}\n")
            continue
        post_id = row.get("id")
        yield (str(lineno) if post_id is None else str(post_id)), row["text"]


def classify_stream(
    clf: BertClassifier,
    src: IO[str],
    dst: IO[str],
    *,
    batch_size: int = 64,
    chunk: int = 2048,
    err: IO[str] | None = None,
) -> int:
    """Classify posts from ``src`` into ``dst`` in chunks; return the number of lines written."""
    written, pending = 0, []
    for item in read_posts(src, err=err):
        pending.append(item)
        if len(pending) >= chunk:
            written += _flush(clf, pending, dst, batch_size)
            pending = []
    return written + (_flush(clf, pending, dst, batch_size) if pending else 0)


def _flush(clf: BertClassifier, items: list[tuple[str, str]], dst: IO[str], batch_size: int) -> int:
    preds = clf.predict([text for _, text in items], batch_size=batch_size)
    for (post_id, text), pred in zip(items, preds, strict=True):
        row: dict[str, Any] = {
            "id": post_id,
            "text": text,
            "label": pred.label,
            "score": pred.score,
            "categories": [{"name": n, "score": s} for n, s in pred.categories],
        }
        dst.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(items)


def classify_file(clf: BertClassifier, input_path: Path, output_path: Path, *, batch_size: int = 64) -> int:
    """File form of :func:`classify_stream` (``-`` means stdin/stdout)."""
    with contextlib.ExitStack() as stack:
        src = sys.stdin
        if str(input_path) != "-":
            src = stack.enter_context(Path(input_path).open(encoding="utf-8", errors="replace"))
        dst = sys.stdout
        if str(output_path) != "-":
            dst = stack.enter_context(Path(output_path).open("w", encoding="utf-8"))
        return classify_stream(clf, src, dst, batch_size=batch_size)
