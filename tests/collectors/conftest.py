"""Fixtures for collector tests: the fake sources, an HTTP session, a recording sink, a runner factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from collectors.base import Collector
from collectors.registry import build_collectors
from collectors.runner import CollectorRunner
from kernel.metrics import Metrics
from kernel.records import Record


class RecordingSink:
    """Stores records like the real sink: False for an already stored (source, source_id)."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.raw: dict[tuple[str, str], bytes] = {}
        self.changed = asyncio.Event()

    async def __call__(self, record: Record, raw: bytes) -> bool:
        key = (record.source, record.source_id)
        if key in self.raw:
            return False
        self.raw[key] = raw
        self.records.append(record)
        self.changed.set()
        return True

    async def wait_for(self, n: int, within: float = 5.0) -> list[Record]:
        """Wait until at least ``n`` records are stored."""
        async with asyncio.timeout(within):
            while len(self.records) < n:
                self.changed.clear()
                await self.changed.wait()
        return self.records


class BadItems:
    """Collects on_bad_item calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, bytes, str]] = []

    async def __call__(self, source: str, source_id: str | None, raw: bytes, error: str) -> None:
        self.calls.append((source, source_id, raw, error))


@pytest.fixture
def sink() -> RecordingSink:
    """A fresh recording sink."""
    return RecordingSink()


@pytest.fixture
def bad_items() -> BadItems:
    """A fresh bad-item recorder."""
    return BadItems()


@pytest.fixture
def build(http: aiohttp.ClientSession, tmp_path: Path) -> Callable[..., Collector]:
    """Build one collector from a block (allow_private on: the fakes listen on loopback)."""

    def _build(**block: Any) -> Collector:
        block.setdefault("allow_private", True)
        return build_collectors([block], http, tmp_path)[0]

    return _build


@pytest.fixture
async def make_runner(sink: RecordingSink, bad_items: BadItems) -> AsyncIterator[Callable[..., CollectorRunner]]:
    """Build runners with tiny delays; all are stopped at teardown."""
    runners: list[CollectorRunner] = []

    def _make(collectors: list[Collector], **kwargs: Any) -> CollectorRunner:
        kwargs.setdefault("delay_scale", 0.01)
        kwargs.setdefault("backoff_base_s", 0.05)
        runner = CollectorRunner(collectors, sink, Metrics(), on_bad_item=bad_items, **kwargs)
        runners.append(runner)
        return runner

    yield _make
    for runner in runners:
        await runner.stop()
