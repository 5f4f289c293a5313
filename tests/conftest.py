"""Shared fixtures: store URLs for SQLite and the real PostgreSQL server that scripts/test.sh starts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from required_tools import require_tool
from sqlalchemy import create_engine, text

from bosai.demo.fake_sources import FakeSources
from kernel.store import Store

PG_URL = os.environ.get("BOSAI_TEST_PG_URL")
REQUIRE_SERVERS = os.environ.get("BOSAI_REQUIRE_SERVERS") == "1"


@pytest.fixture
def espeak() -> str:
    """The espeak-ng program the speech forms need (fails instead of skipping under BOSAI_REQUIRE_SERVERS=1)."""
    return require_tool("espeak-ng")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    if not PG_URL:
        if REQUIRE_SERVERS:
            pytest.fail("BOSAI_TEST_PG_URL is not set: scripts/test.sh starts PostgreSQL")
        pytest.skip("PostgreSQL not configured (run scripts/test.sh)")
    name = f"bosai_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/bosai.db"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database URL (fails or skips when no server is configured)."""
    with postgres_database() as url:
        yield url


@contextlib.contextmanager
def running_store(url: str) -> Iterator[Store]:
    """A migrated store with its writer running, closed afterwards."""
    s = Store(url)
    s.upgrade()
    s.start()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store with its writer running, on SQLite and on PostgreSQL."""
    with running_store(store_url) as s:
        yield s


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    """A migrated SQLite store in tmp_path with its writer running."""
    with running_store(f"sqlite:///{tmp_path}/bosai-test.db") as s:
        yield s


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeSources, str]]:
    """Running fake sources (short keep-alives so streams are lively) and their base URL."""
    fs = FakeSources(keepalive_s=0.2, heartbeat_s=0.2)
    base = await fs.start(host="127.0.0.1", port=0)
    yield fs, base
    await fs.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """One shared client session."""
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass
class RebindingDNS:
    """A name whose answers alternate: a public address, then 127.0.0.1, and so on (DNS rebinding)."""

    host: str = "rebind.bosai.test"
    answers: list[str] = field(default_factory=list)  # what each lookup of ``host`` answered, in order


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> RebindingDNS:
    """Install a RebindingDNS in socket.getaddrinfo (used by asyncio, aiohttp and the URL checks)."""
    dns, real = RebindingDNS(), socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != dns.host:
            return real(host, port, *args, **kwargs)
        dns.answers.append("127.0.0.1" if len(dns.answers) % 2 else "93.184.216.34")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (dns.answers[-1], int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


@dataclass
class WebhookReceiver:
    """A local alert-webhook endpoint: the bodies it was sent, in order, and where it listens."""

    bodies: list[bytes]
    url: str
    port: int
    headers: list[dict[str, str]] = field(default_factory=list)  # each request's headers, in order

    def json(self) -> list[Any]:
        """The bodies decoded as JSON."""
        return [json.loads(b) for b in self.bodies]


@pytest.fixture
def webhook_receiver(aiohttp_server: Any) -> Callable[..., Awaitable[WebhookReceiver]]:
    """Start a receiver on POST /hook; ``status(n)`` answers the n-th request, after ``delay_s``."""

    async def start(status: Callable[[int], int] = lambda _n: 204, delay_s: float = 0.0) -> WebhookReceiver:
        bodies: list[bytes] = []
        headers: list[dict[str, str]] = []

        async def handle(request: web.Request) -> web.Response:
            headers.append(dict(request.headers))
            bodies.append(await request.read())
            await asyncio.sleep(delay_s)
            return web.Response(status=status(len(bodies)))

        app = web.Application()
        app.router.add_post("/hook", handle)
        server = await aiohttp_server(app)
        return WebhookReceiver(bodies, str(server.make_url("/hook")), server.port, headers)

    return start
