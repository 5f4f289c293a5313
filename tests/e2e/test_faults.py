"""Faults end to end, in process: every source down then flapping while the others keep delivering (real
collectors, runner and fake sources), and the database restarted under load (a private PostgreSQL cluster)."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bosai.bus import MemoryBus
from bosai.demo.fake_sources import FakeSources
from bosai.live import LiveHub
from bosai.pipeline import Pipeline
from collectors.registry import build_collectors
from collectors.runner import CollectorRunner
from kernel.metrics import Metrics
from kernel.records import Place, Post, Prediction, Record
from kernel.store import Store
from kernel.store.models import PostRow, RawItem

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM = (ROOT / "tests" / "fixtures" / "jma" / "mie_vpww54_warnings.xml").read_bytes()
TOKEN_ENV = "BOSAI_FAULTS_X_TOKEN"
DOWN_STATES = {"degraded", "down", "open_circuit"}
ENDPOINTS = {"jma": ("jma_feed",), "x_mie": ("x_stream",), "mastodon_mie": ("mastodon",)}
STREAMS = {"x_mie": "x", "mastodon_mie": "mastodon"}  # a stream delivers only to connected clients


class Sink:
    """Counts records per source (False for a repeated source/source_id, like the store)."""

    def __init__(self) -> None:
        self.ids: dict[str, set[str]] = {}

    async def __call__(self, record: Record, raw: bytes) -> bool:
        seen = self.ids.setdefault(record.source, set())
        if record.source_id in seen:
            return False
        seen.add(record.source_id)
        return True

    def count(self, source: str) -> int:
        """Records stored for ``source``."""
        return len(self.ids.get(source, ()))


@dataclass
class Sources:
    """The fake sources, the runner over three collectors, and a way to make each source deliver."""

    fake: FakeSources
    runner: CollectorRunner
    sink: Sink
    serial: int = 0

    async def deliver_one(self, source: str) -> None:
        """Make ``source`` publish one new item."""
        self.serial += 1
        n = self.serial
        if source == "jma":
            self.fake.publish_jma(TELEGRAM.replace(b"<Serial>", f"<Serial>{n}".encode()),
                                  at=datetime(2026, 9, 12, tzinfo=UTC) + timedelta(seconds=n))
        elif source == "x_mie":
            await self.fake.push_x_post({"data": {"id": str(n), "text": "津市で冠水", "author_id": "1",
                                                  "created_at": "2026-09-12T10:00:00Z"}})
        else:
            await self.fake.push_mastodon_status({"id": str(n), "created_at": "2026-09-12T10:00:00Z",
                                                  "content": "<p>浸水</p>", "account": {"acct": "a"}})

    async def connected(self, source: str) -> None:
        """Wait until a stream source's client is connected again (no-op for polled sources)."""
        if source in STREAMS:
            await asyncio.wait_for(self.fake.wait_for_clients(STREAMS[source]), 30)

    def state(self, source: str) -> str:
        """The /healthz state of ``source``."""
        return str(self.runner.health()[source]["state"])


@pytest.fixture
async def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sources]:
    """JMA feed (poll), X and Mastodon (streams) on the fakes, with small delays."""
    monkeypatch.setenv(TOKEN_ENV, "token")
    fake = FakeSources(keepalive_s=0.1, heartbeat_s=0.1)
    base = await fake.start()
    common = {"allow_private": True, "breaker_failures": 3, "breaker_reset_s": 1.0, "max_backoff_s": 0.5}
    async with aiohttp.ClientSession() as http:
        collectors = build_collectors([
            {"kind": "jma_feed", "name": "jma", "url": f"{base}/jma/feed/extra.xml", "interval_s": 1.0, **common},
            {"kind": "x_stream", "name": "x_mie", "base_url": base, "token_env": TOKEN_ENV, "sync_rules": False,
             "stall_timeout_s": 1.0, **common},
            {"kind": "mastodon_stream", "name": "mastodon_mie", "base_url": base, "stall_timeout_s": 1.0, **common},
        ], http, tmp_path)
        sink = Sink()
        runner = CollectorRunner(collectors, sink, Metrics(), delay_scale=0.05, backoff_base_s=0.05)
        await runner.start()
        yield Sources(fake, runner, sink)
        await runner.stop()
    await fake.stop()


async def wait_until(check: Any, within: float = 10.0, what: str = "") -> None:
    """Poll ``check()`` until true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _others_deliver(src: Sources, down: str) -> None:
    for other in ENDPOINTS:
        if other == down:
            continue
        before = src.sink.count(other)
        await src.deliver_one(other)
        await wait_until(lambda o=other, b=before: src.sink.count(o) > b, what=f"{other} while {down} is down")


async def test_each_source_down_then_flapping_while_others_deliver(sources: Sources) -> None:
    src = sources
    await src.fake.wait_for_clients("x")
    await src.fake.wait_for_clients("mastodon")
    for name in ENDPOINTS:
        await src.deliver_one(name)
        await wait_until(lambda n=name: src.sink.count(n) == 1 and src.state(n) == "ok", what=f"{name} first item")

    for down, endpoints in ENDPOINTS.items():
        for endpoint in endpoints:
            src.fake.faults[endpoint].status = 503
        if down != "jma":  # streams: drop the live connection so the client must reconnect into the 503s
            src.fake.faults[endpoints[0]].disconnect_after_n = 1
            await src.deliver_one(down)
        await wait_until(lambda d=down: src.state(d) in DOWN_STATES, what=f"{down} reported down")
        await _others_deliver(src, down)
        assert src.state(down) in DOWN_STATES
        health = src.runner.health()[down]
        assert health["last_error"] and "503" in health["last_error"]
        before = src.sink.count(down)
        src.fake.reset_faults()
        await src.connected(down)
        await src.deliver_one(down)
        await wait_until(lambda d=down, b=before: src.state(d) == "ok" and src.sink.count(d) > b, within=15,
                         what=f"{down} recovered")

    for flapping, endpoints in ENDPOINTS.items():  # alternating: one failure, then one good answer, ...
        errors_at = set()
        for _ in range(3):
            await src.connected(flapping)
            before = src.sink.count(flapping)
            src.fake.faults[endpoints[0]].status, src.fake.faults[endpoints[0]].times = 503, 1
            if flapping != "jma":
                src.fake.faults[endpoints[0]].disconnect_after_n = 1
            await src.deliver_one(flapping)
            await wait_until(lambda f=flapping, b=before: src.sink.count(f) > b, within=15, what=f"{flapping} flap")
            await wait_until(lambda f=flapping: src.runner.health()[f]["last_error"] is not None, what="error seen")
            errors_at.add(src.runner.health()[flapping]["last_error_at"])
            await _others_deliver(src, flapping)
        src.fake.reset_faults()
        assert len(errors_at) >= 2, f"{flapping}: each failed round must be reported, saw {errors_at}"
        await wait_until(lambda f=flapping: src.state(f) == "ok", within=15, what=f"{flapping} ok after flapping")


# -- the database restarted under load ----------------------------------------------------------------------


class KeywordClassifier:
    """Flags posts mentioning 冠水 (the real model is exercised in other e2e tests)."""

    version = "faults-test"

    def predict(self, texts: list[str], *, batch_size: int = 64) -> list[Prediction]:
        """One prediction per text."""
        return [Prediction("disaster", 0.9, (("flood", 0.9),)) if "冠水" in t else Prediction("other", 0.1)
                for t in texts]


class TsuGeocoder:
    """Places every post in 津市."""

    def resolve(self, text: str, *, geo: tuple[float, float] | None = None) -> list[Place]:
        """One place."""
        return [Place("津市", "municipality", 34.7186, 136.5054, 0.9, "242012", "津市")]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateCluster:
    """A throw-away PostgreSQL cluster on a unix socket, run as the postgres user when we are root."""

    def __init__(self, bin_dir: Path, base: Path) -> None:
        self.bin, self.base, self.port = bin_dir, base, _free_port()
        self.data = base / "data"

    def _run(self, *args: str) -> None:
        command = " ".join(args)
        argv = ["su", "postgres", "-s", "/bin/sh", "-c", command] if os.geteuid() == 0 else ["sh", "-c", command]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """initdb and start."""
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
        self._run(f"{self.bin}/initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._run(f"{self.bin}/pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w", "start", "-o",
                  f"\"-p {self.port} -k {self.base} -c listen_addresses='' -c fsync=off\"")

    def restart(self) -> None:
        """Fast restart: open connections are terminated, in-flight transactions rolled back."""
        self._run(f"{self.bin}/pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w", "-m", "fast",
                  "restart")

    def stop(self) -> None:
        """Stop the server (ignoring one that is already down)."""
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(f"{self.bin}/pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")

    @property
    def url(self) -> str:
        """SQLAlchemy URL over the unix socket."""
        return f"postgresql+psycopg://postgres@/postgres?host={self.base}&port={self.port}"


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    """A private cluster; skipped without the binaries unless BOSAI_REQUIRE_SERVERS=1."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1":
            pytest.fail("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    # Not tmp_path: pytest makes its parents mode 0700, which the postgres user cannot enter.
    base = Path(tempfile.mkdtemp(prefix="bosai-faults-pg-"))
    base.chmod(0o755)
    pg = PrivateCluster(bin_dir, base)
    try:
        pg.start()
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


def _post(i: int) -> Post:
    return Post(source="x_mie", source_id=f"load-{i}", observed_at=datetime(2026, 9, 12, 10, 0, tzinfo=UTC),
                author="a", text=f"津市の国道が冠水 {i}" if i % 2 else f"今日は晴れ {i}")


@pytest.mark.postgres
@pytest.mark.slow
async def test_database_restart_under_load_loses_and_duplicates_nothing(cluster: PrivateCluster) -> None:
    store = Store(cluster.url)
    store.upgrade()
    store.start()
    pipeline = Pipeline(store=store, bus=MemoryBus(1000), classifier=KeywordClassifier(), geocoder=TsuGeocoder(),
                        metrics=Metrics(), hub=LiveHub(), batch_size=16)
    pipeline.start()
    acknowledged: list[str] = []
    refused: list[str] = []
    total, restart_at = 300, 100

    async def load() -> None:
        for i in range(total):
            post = _post(i)
            try:
                if await pipeline.ingest(post, f"raw-{i}".encode()):
                    acknowledged.append(post.source_id)
            except Exception:  # not acknowledged: the caller (collector) would retry it
                refused.append(post.source_id)
            await asyncio.sleep(0.002)

    try:
        loader = asyncio.create_task(load())
        await wait_until(lambda: len(acknowledged) + len(refused) >= restart_at, within=60, what="load")
        await asyncio.to_thread(cluster.restart)
        await asyncio.wait_for(loader, 120)
        assert await pipeline.drain(60)

        with store.session() as s:
            ids = list(s.scalars(select(RawItem.source_id)))
            states = dict(s.execute(select(RawItem.state, func.count()).group_by(RawItem.state)).all())
            post_rows = s.scalar(select(func.count()).select_from(PostRow))
        assert refused == [], f"ingest failed during the restart instead of reconnecting: {len(refused)} posts"
        assert len(ids) == len(set(ids)), "duplicated raw items"
        assert set(acknowledged) <= set(ids), f"lost: {sorted(set(acknowledged) - set(ids))[:10]}"
        assert len(acknowledged) == total and post_rows == total
        assert states == {"done": total}, f"items not processed after the restart: {states}"
    finally:
        await pipeline.stop()
        store.close()
