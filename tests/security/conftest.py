"""Fixtures of the security tests: the fake sources and a client session."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bosai.demo.fake_sources import FakeSources

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))  # web_factories (row factories)


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeSources, str]]:
    """Running fake sources with short keep-alives, and their base URL."""
    fs = FakeSources(keepalive_s=0.2, heartbeat_s=0.2)
    base = await fs.start(host="127.0.0.1", port=0)
    yield fs, base
    await fs.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """One client session."""
    async with aiohttp.ClientSession() as session:
        yield session
