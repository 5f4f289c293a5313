"""JMA parse benchmark: telegrams per second through the JMA XML parser, from memory."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from collectors.jma_xml import parse_report
from kernel.errors import SourceDataError


def bench_parse(paths: Sequence[str | Path], repeat: int = 10) -> float:
    """Parse every file ``repeat`` times from memory; return telegrams per second (bad files count too)."""
    blobs = [Path(p).read_bytes() for p in paths]
    if not blobs or repeat < 1:
        return 0.0
    start = time.perf_counter()
    for _ in range(repeat):
        for i, blob in enumerate(blobs):
            try:
                parse_report(blob, source="bench", source_id=str(i))
            except SourceDataError:
                continue
    elapsed = time.perf_counter() - start
    return len(blobs) * repeat / elapsed if elapsed > 0 else float("inf")
