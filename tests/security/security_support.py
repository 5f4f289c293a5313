"""Helpers of the security and fault tests: seed telegrams, a recording sink, a bad-item recorder."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kernel.records import Record

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures" / "jma"
SAMPLES = TESTS.parents[1] / "shared" / "data" / "jma" / "samples"


def seed_telegrams() -> list[bytes]:
    """Our Mie fixtures plus the official JMA samples when the shared data folder is present."""
    paths = sorted(FIXTURES.glob("mie_*.xml")) + sorted(FIXTURES.glob("other_*.xml"))
    if SAMPLES.is_dir():
        paths += sorted(SAMPLES.glob("*.xml"))
    return [p.read_bytes() for p in paths]


class Sink:
    """Stores records like the real sink (False for an already stored source/source_id)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], Record] = {}
        self.changed = asyncio.Event()

    async def __call__(self, record: Record, raw: bytes) -> bool:
        key = (record.source, record.source_id)
        if key in self.records:
            return False
        self.records[key] = record
        self.changed.set()
        return True

    def of(self, source: str) -> list[Record]:
        """Records of one source."""
        return [r for (s, _), r in self.records.items() if s == source]

    async def wait_for(self, source: str, n: int, within: float = 5.0) -> None:
        """Wait until ``source`` has ``n`` records."""
        async with asyncio.timeout(within):
            while len(self.of(source)) < n:
                self.changed.clear()
                await self.changed.wait()

    async def wait_for_ids(self, source: str, ids: set[str], within: float = 5.0) -> None:
        """Wait until every one of ``ids`` of ``source`` is stored."""
        async with asyncio.timeout(within):
            while not ids <= {r.source_id for r in self.of(source)}:
                self.changed.clear()
                await self.changed.wait()


class Rejects:
    """Collects the runner's on_bad_item calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, bytes, str]] = []

    async def __call__(self, source: str, source_id: str | None, raw: bytes, error: str) -> None:
        self.calls.append((source, source_id, raw, error))
