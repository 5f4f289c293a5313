"""A record the store fails to write (a database error, an exception in the sink) for a streamed source: the
sender is answered at once, the failure is logged at once, the stream and the source's health are untouched, and
no delivery task is left with an exception nobody retrieves (issue 17, "Extreme dates", last bullet)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from collectors.base import StreamingCollector
from collectors.runner import STREAM_IN_FLIGHT
from collectors.webhook import sign
from kernel.config import SourceConfig
from kernel.errors import SourceDataError
from kernel.records import Post, Record

SECRET_ENV = "BOSAI_TEST_WEBHOOK_SECRET"
NOW = datetime(2026, 9, 12, 10, tzinfo=UTC)


class FailingOnceSink:
    """The recording sink, but raising ``fail[source_id]`` the first time that record is written."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.fail: dict[str, Exception] = {}
        self.records: list[Record] = inner.records
        self.wait_for = inner.wait_for

    async def __call__(self, record: Record, raw: bytes) -> bool:
        error = self.fail.pop(record.source_id, None)
        if error is not None:
            raise error
        return await self.inner(record, raw)


@pytest.fixture
def sink(sink) -> FailingOnceSink:
    """The runner's sink in this module (make_runner takes it from here)."""
    return FailingOnceSink(sink)


class AnsweredStream(StreamingCollector):
    """``count`` posts on the first connection, then stays open; keeps what the runner answered for each post."""

    kind = "stub_answered"

    def __init__(self, name: str, count: int) -> None:
        super().__init__(SourceConfig(kind="stub", name=name), None, Path("."))  # type: ignore[arg-type]
        self.count, self.connections = count, 0
        self.answers: dict[str, str | None] = {}  # text only: holding the error would hold its traceback's tasks

    async def records(self) -> AsyncIterator:
        self.connections += 1
        self.alive()
        for i in range(self.count if self.connections == 1 else 0):  # posts are not sent again on reconnect
            yield Post(source=self.name, source_id=f"s{i}", observed_at=NOW, author="a", text="t"), b"raw"
        await asyncio.sleep(3600)

    def delivered(self, record: Record, error: BaseException | None) -> None:
        self.answers[record.source_id] = None if error is None else f"{type(error).__name__}: {error}"


async def until(condition, within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.005)


def never_retrieved(contexts: list[dict[str, Any]]) -> list[str]:
    return [c["message"] for c in contexts if "never retrieved" in c.get("message", "")]


async def test_failed_stores_leave_no_unretrieved_task_exception(make_runner, sink, monkeypatch) -> None:
    """Two posts not stored among more than STREAM_IN_FLIGHT: each sender has its error, and no delivery task is
    left with an exception nobody retrieves (asyncio reports those when the task is collected, at shutdown)."""
    # The runner's log records would keep the exceptions, and with them the tasks, alive until the test ends.
    monkeypatch.setattr(logging.getLogger("collectors.runner"), "disabled", True)
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    try:
        sink.fail.update(s0=RuntimeError("database is locked"), s1=RuntimeError("disk I/O error"))
        stream = AnsweredStream("st", STREAM_IN_FLIGHT + 6)
        runner = make_runner([stream])
        await runner.start()
        await sink.wait_for(STREAM_IN_FLIGHT - 2)
        await asyncio.sleep(0.05)
        assert [stream.answers[k] for k in ("s0", "s1")] == ["RuntimeError: database is locked",
                                                            "RuntimeError: disk I/O error"]
        await runner.stop()
        del runner, stream
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert never_retrieved(contexts) == []


async def test_a_failed_store_never_tears_the_stream_down(make_runner, sink, caplog, bad_items) -> None:
    """More than STREAM_IN_FLIGHT posts after a failed one: one connection throughout, the source stays healthy
    (the store failing is not the source failing), every other post is stored, the log names the one that was
    not, and that one is kept, raw bytes and all, with the rejects."""
    caplog.set_level("INFO")
    sink.fail["s0"] = RuntimeError("database is locked")
    stream = AnsweredStream("st", STREAM_IN_FLIGHT + 6)
    runner = make_runner([stream])
    await runner.start()
    with contextlib.suppress(TimeoutError):  # a torn-down stream loses the post it was handing over
        await sink.wait_for(STREAM_IN_FLIGHT + 5, within=2.0)
    await asyncio.sleep(0.05)  # a teardown, if any, happens when the 64th delivery is awaited
    assert stream.connections == 1
    health = runner.health()["st"]
    assert (health["state"], health["consecutive_failures"], health["last_error"]) == ("ok", 0, None)
    assert runner.metrics.source_errors.labels("st")._value.get() == 0
    assert [r.source_id for r in sink.records] == [f"s{i}" for i in range(1, STREAM_IN_FLIGHT + 6)]
    (logged,) = [r.getMessage() for r in caplog.records if "source_item_not_stored" in r.getMessage()]
    assert "source_id=s0" in logged and "database is locked" in logged
    assert bad_items.calls == [("st", "s0", b"raw", "not stored: RuntimeError: database is locked")]


async def test_bad_data_found_while_storing_is_kept_with_the_rejects(make_runner, sink, bad_items) -> None:
    """A sink that finds a record bad (SourceDataError) has it kept with the rejects, and the stream goes on."""
    sink.fail["s1"] = SourceDataError("refused by the store", raw=b"raw", source_id="s1")
    stream = AnsweredStream("st", 3)
    runner = make_runner([stream])
    await runner.start()
    await sink.wait_for(2)
    await until(lambda: bad_items.calls)
    assert bad_items.calls == [("st", "s1", b"raw", "refused by the store")]
    assert stream.answers["s1"] == "SourceDataError: refused by the store" and stream.connections == 1


def post(i: int) -> dict:
    return {"id": f"p{i}", "text": "鈴鹿市で川があふれそう", "author": "citizen",
            "created_at": "2026-09-12T19:10:00+09:00"}


@pytest.fixture
async def webhook(aiohttp_client, build, make_runner, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    hook = build(kind="webhook", name="partner", secret_env=SECRET_ENV, timeout_s=2)
    runner = make_runner([hook])
    await runner.start()
    app = web.Application()
    app.router.add_post("/webhook/partner", runner.webhook_handlers()["partner"])
    return await aiohttp_client(app), runner


async def send(client, i: int, ts: int | None = None):
    body = json.dumps(post(i)).encode()
    headers = {"Content-Type": "application/json", **sign("s3cret", body, ts or int(time.time()))}
    return await client.post("/webhook/partner", data=body, headers=headers)


async def test_webhook_post_that_failed_to_store_gets_503_and_the_source_lives_on(webhook, sink) -> None:
    """The issue's probe: a failed store, then more posts than STREAM_IN_FLIGHT. The failed post is a prompt 503
    (its retry is stored), every later post a 200, and the webhook source is never torn down."""
    client, runner = webhook
    sink.fail["p0"] = RuntimeError("database is locked")
    started, first_ts = time.monotonic(), int(time.time())
    assert (await send(client, 0, ts=first_ts)).status == 503
    assert time.monotonic() - started < 1.5  # answered at once, well within the 2 s handler timeout
    for i in range(1, STREAM_IN_FLIGHT + 6):
        resp = await send(client, i)
        assert resp.status == 200, (i, await resp.text())
    assert (await send(client, 0, ts=first_ts - 1)).status == 200  # the sender's retry (a new signature) is stored
    health = runner.health()["partner"]
    assert (health["state"], health["consecutive_failures"], health["last_error"]) == ("ok", 0, None)
    assert health["items"] == STREAM_IN_FLIGHT + 6
    assert {r.source_id for r in sink.records} == {f"p{i}" for i in range(STREAM_IN_FLIGHT + 6)}
