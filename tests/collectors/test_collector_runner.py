"""Runner behaviour with stub collectors: isolation, backoff, breaker, health, metrics, bad items."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from collectors.base import PollingCollector, StreamingCollector
from collectors.resilience import Backoff, CircuitBreaker, SourceHealth
from kernel.config import SourceConfig
from kernel.errors import SourceDataError, SourceUnavailable
from kernel.records import Post

NOW = datetime(2026, 9, 12, 10, tzinfo=UTC)


def make_post(source: str, i: int) -> Post:
    return Post(source=source, source_id=str(i), observed_at=NOW, author="a", text=f"t{i}")


class ScriptedPoll(PollingCollector):
    """Each poll takes the next step: an exception to raise, or a number of posts to yield."""

    kind = "stub_poll"  # not registered: only the runner sees it

    def __init__(self, name: str, steps: list, interval_s: float = 1.0, **cfg) -> None:
        config = PollingCollector.Config(kind="stub", name=name, interval_s=interval_s, **cfg)
        super().__init__(config, None, Path("."))  # type: ignore[arg-type]
        self.steps, self.calls, self.counter = list(steps), 0, 0

    async def records(self) -> AsyncIterator:
        self.calls += 1
        step = self.steps.pop(0) if self.steps else 0
        if isinstance(step, BaseException):
            raise step
        for _ in range(step):
            self.counter += 1
            yield make_post(self.name, self.counter), b"raw"


class FlakyStream(StreamingCollector):
    """Yields one post per connection and then drops, except the first connection fails."""

    kind = "stub_stream"

    def __init__(self, name: str) -> None:
        super().__init__(SourceConfig(kind="stub", name=name), None, Path("."))  # type: ignore[arg-type]
        self.connections = 0

    async def records(self) -> AsyncIterator:
        self.connections += 1
        if self.connections == 1:
            raise SourceUnavailable("connection refused")
        self.alive()
        yield make_post(self.name, self.connections), b"raw"
        await asyncio.sleep(3600)


def test_backoff_full_jitter_cap_and_reset() -> None:
    b = Backoff(base_s=1.0, cap_s=8.0, rng=random.Random(3))
    delays = [b.next_delay() for _ in range(8)]
    assert all(0 <= d <= min(8.0, 2**i) for i, d in enumerate(delays))
    assert max(delays[4:]) <= 8.0 and len(set(delays)) == 8
    b.reset()
    assert b.attempt == 0 and b.next_delay() <= 1.0


def test_breaker_opens_and_half_opens() -> None:
    now = {"t": 0.0}
    breaker = CircuitBreaker(failures=3, reset_s=10.0, clock=lambda: now["t"])
    for _ in range(2):
        breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow() and breaker.remaining_s() == 10.0
    now["t"] = 10.0
    assert breaker.allow()  # trial call
    breaker.record_failure()  # trial failed: open again
    assert not breaker.allow()
    breaker.record_success()
    assert breaker.allow() and breaker.consecutive == 0


def test_health_states_and_transition_logging(caplog) -> None:
    health = SourceHealth("s", CircuitBreaker(failures=5, reset_s=60.0))
    caplog.set_level("INFO")
    health.success()
    states = []
    for _ in range(5):
        health.failure(SourceUnavailable("down"))
        states.append(health.state)
    assert states == ["degraded", "degraded", "down", "down", "open_circuit"]
    health.success(2)
    assert health.state == "ok" and health.items == 2 and health.consecutive_failures == 0
    messages = [r.getMessage() for r in caplog.records]
    assert sum("source_health_changed" in m for m in messages) == 3  # transitions only
    assert any("source_recovered" in m for m in messages)


async def test_one_failing_source_does_not_stop_others(make_runner, sink) -> None:
    good = ScriptedPoll("good", [2, 1])
    broken = ScriptedPoll("broken", [RuntimeError("bug") for _ in range(10)])
    runner = make_runner([good, broken], delay_scale=0.01)
    await runner.start()
    await sink.wait_for(3)
    health = runner.health()
    assert health["good"]["state"] == "ok" and health["good"]["items"] == 3
    assert health["broken"]["state"] in ("degraded", "down", "open_circuit")
    assert "RuntimeError: bug" in health["broken"]["last_error"]
    assert runner.metrics.items_ingested.labels("good")._value.get() == 3


async def test_breaker_stops_calls_until_reset(make_runner) -> None:
    down = ScriptedPoll("down", [SourceUnavailable("x") for _ in range(50)], breaker_failures=2, breaker_reset_s=1000)
    runner = make_runner([down], delay_scale=0.001)
    await runner.start()
    async with asyncio.timeout(5):
        while runner.health()["down"]["state"] != "open_circuit":
            await asyncio.sleep(0.01)
    calls = down.calls
    assert await runner.poll_once("down") == 0
    assert down.calls == calls == 2


async def test_data_error_goes_to_bad_items_with_raw(make_runner, bad_items) -> None:
    bad = ScriptedPoll("bad", [SourceDataError("garbage", raw=b"\x00\x01", source_id="e1")], interval_s=100)
    runner = make_runner([bad])
    await runner.poll_once("bad")
    await asyncio.sleep(0.01)
    assert bad_items.calls == [("bad", "e1", b"\x00\x01", "garbage")]
    assert runner.metrics.source_errors.labels("bad")._value.get() == 1
    assert runner.health()["bad"]["state"] == "degraded"


async def test_sink_duplicates_are_counted(make_runner, sink) -> None:
    poll = ScriptedPoll("dup", [2], interval_s=100)
    runner = make_runner([poll])
    await runner.poll_once("dup")
    poll.counter = 0
    poll.steps = [2]
    assert await runner.poll_once("dup") == 0
    assert runner.metrics.items_duplicate.labels("dup")._value.get() == 2


async def test_stream_supervisor_reconnects(make_runner, sink) -> None:
    stream = FlakyStream("stream")
    runner = make_runner([stream], backoff_base_s=0.01)
    await runner.start()
    await sink.wait_for(1)
    assert stream.connections == 2 and runner.health()["stream"]["state"] == "ok"
    await runner.stop()
    assert all(t.done() for t in runner._tasks) or not runner._tasks


@pytest.mark.parametrize("scheduler_given", [False, True])
async def test_external_scheduler_is_used_and_not_shut_down(make_runner, sink, scheduler_given) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone=UTC) if scheduler_given else None
    if scheduler:
        scheduler.start()
    runner = make_runner([ScriptedPoll("p", [1])], scheduler=scheduler)
    await runner.start()
    await sink.wait_for(1)
    job = runner.scheduler.get_job("collector:p")
    assert job.max_instances == 1 and job.coalesce
    await runner.stop()
    assert runner.scheduler.running == scheduler_given
    if scheduler:
        scheduler.shutdown(wait=False)


class DatedStream(StreamingCollector):
    """One connection: a post at each of ``times``, then stays open."""

    kind = "stub_dated"

    def __init__(self, name: str, times: list[datetime]) -> None:
        super().__init__(SourceConfig(kind="stub", name=name), None, Path("."))  # type: ignore[arg-type]
        self.times, self.connections = times, 0

    async def records(self) -> AsyncIterator:
        self.connections += 1
        self.alive()
        for i, at in enumerate(self.times):
            yield Post(source=self.name, source_id=f"d{i}", observed_at=at, author="a", text="t"), b"raw%d" % i
        await asyncio.sleep(3600)


async def test_an_impossible_date_is_rejected_and_the_stream_goes_on(make_runner, sink, bad_items) -> None:
    """Calendar-edge dates (which overflow later, in UTC or with the incident window) are bad items, kept with
    the rejects; the stream is not torn down and the valid neighbours are stored."""
    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    times = [NOW, edge, datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1999, 12, 31, tzinfo=UTC),
             datetime.now(UTC) + timedelta(days=2), NOW + timedelta(minutes=1)]
    stream = DatedStream("dated", times)
    runner = make_runner([stream])
    await runner.start()
    await sink.wait_for(2)
    for _ in range(100):
        if len(bad_items.calls) == 4:
            break
        await asyncio.sleep(0.01)
    assert [r.source_id for r in sink.records] == ["d0", "d5"]
    assert [(c[1], c[2]) for c in bad_items.calls] == [("d1", b"raw1"), ("d2", b"raw2"), ("d3", b"raw3"),
                                                       ("d4", b"raw4")]
    assert "observed_at 0001-01-01T00:00:00+14:00 is before 2000" in bad_items.calls[0][3]
    assert "more than a day in the future" in bad_items.calls[3][3]
    assert stream.connections == 1 and runner.health()["dated"]["items"] == 2
