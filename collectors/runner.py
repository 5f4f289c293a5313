"""Runs collectors: poll sources as APScheduler jobs, streams as supervised tasks; health and metrics."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from collectors.base import Collector
from collectors.registry import webhook_collectors
from collectors.resilience import Backoff, CircuitBreaker, SourceHealth
from kernel.errors import SourceDataError, SourceError
from kernel.logs import get_logger
from kernel.metrics import Metrics
from kernel.records import Record, RecordSink, time_problem

log = get_logger(__name__)  # bad items carry senders' ids and text: logged as fields

BadItemCallback = Callable[[str, str | None, bytes, str], Awaitable[None] | None]


STREAM_IN_FLIGHT = 64  # records of one stream being stored at the same time


class CollectorRunner:
    """Drives every collector, hands records to the sink, keeps one failing source from stopping others."""

    def __init__(
        self,
        collectors: list[Collector],
        sink: RecordSink,
        metrics: Metrics,
        scheduler: AsyncIOScheduler | None = None,
        *,
        on_bad_item: BadItemCallback | None = None,
        delay_scale: float = 1.0,
        backoff_base_s: float = 1.0,
    ) -> None:
        self.collectors = {c.name: c for c in collectors}
        self.sink = sink
        self.metrics = metrics
        self.on_bad_item = on_bad_item
        self.delay_scale = delay_scale  # tests shrink every delay with this
        self._own_scheduler = scheduler is None
        self.scheduler = scheduler
        self._health: dict[str, SourceHealth] = {}
        self._backoff: dict[str, Backoff] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self._started = False
        for c in collectors:
            breaker = CircuitBreaker(c.config.breaker_failures, c.config.breaker_reset_s * delay_scale)
            self._health[c.name] = SourceHealth(c.name, breaker)
            self._backoff[c.name] = Backoff(base_s=backoff_base_s, cap_s=c.config.max_backoff_s)
            c.bind(reject=self._reject, alive=self._health[c.name].success)

    async def start(self) -> None:
        """Schedule poll jobs (first run now) and start stream supervisors."""
        if self.scheduler is None:
            self.scheduler = AsyncIOScheduler(timezone=UTC)
        for c in self.collectors.values():
            if c.mode == "poll":
                self.scheduler.add_job(
                    self._poll, "interval", seconds=c.interval_s * self.delay_scale, args=[c.name],
                    id=f"collector:{c.name}", max_instances=1, coalesce=True,
                    misfire_grace_time=max(1, int(c.interval_s)), next_run_time=datetime.now(UTC),
                )
            else:
                self._spawn(self._supervise(c), f"stream:{c.name}")
        if self._own_scheduler and not self.scheduler.running:
            self.scheduler.start()
        self._started = True
        log.info("collectors_started", count=len(self.collectors))

    async def stop(self) -> None:
        """Remove jobs, cancel streams and running polls, and wait for them to end."""
        self._stopping = True
        if self.scheduler is not None:
            for c in self.collectors.values():
                if c.mode == "poll" and self.scheduler.get_job(f"collector:{c.name}"):
                    self.scheduler.remove_job(f"collector:{c.name}")
            if self._own_scheduler and self.scheduler.running:
                self.scheduler.shutdown(wait=False)
                await asyncio.sleep(0)  # AsyncIOScheduler runs shutdown on the loop's next turn
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        log.info("collectors_stopped", count=len(self.collectors))

    @property
    def running(self) -> bool:
        """Whether the collectors were started and not stopped, for /readyz (failing sources still count as
        running: their supervisors retry them)."""
        return self._started and not self._stopping and (self.scheduler is None or self.scheduler.running)

    def health(self) -> dict[str, dict[str, Any]]:
        """Per-source state for /healthz."""
        out = {}
        for name, h in self._health.items():
            if h.breaker.is_open:
                h.state = "open_circuit"
            out[name] = {"kind": self.collectors[name].kind, **h.as_dict()}
        return out

    def webhook_handlers(self) -> dict[str, Any]:
        """Source name -> POST handler of each webhook source, for the web app's /webhook/{name} route."""
        return webhook_collectors(list(self.collectors.values()))

    async def poll_once(self, name: str) -> int:
        """Run one poll of ``name`` now (also what the scheduled job does); return records delivered."""
        return await self._poll(name)

    def _spawn(self, coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _poll(self, name: str) -> int:
        collector, health = self.collectors[name], self._health[name]
        if not health.breaker.allow():
            return 0
        current = asyncio.current_task()
        if current is not None:
            self._tasks.add(current)
        delivered = 0
        try:
            async for record, raw in collector.records():
                delivered += await self._deliver(collector, record, raw)
        except asyncio.CancelledError:
            if self._stopping:
                return delivered  # stop() cancelled a poll in flight: end quietly for the scheduler
            raise
        except Exception as err:  # one source must never stop the others
            self._failed(collector, err)
            self._delay_next_poll(collector)
            return delivered
        finally:
            if current is not None:
                self._tasks.discard(current)
        health.success(0)
        self._backoff[name].reset()
        return delivered

    def _delay_next_poll(self, collector: Collector) -> None:
        """After a failure, wait max(interval, jittered backoff) capped, or until the breaker half-opens."""
        job = self.scheduler.get_job(f"collector:{collector.name}") if self.scheduler else None
        if job is None:
            return
        cap = max(collector.config.max_backoff_s, collector.interval_s)
        delay = min(max(collector.interval_s, self._backoff[collector.name].next_delay()), cap)
        delay = max(delay * self.delay_scale, self._health[collector.name].breaker.remaining_s())
        job.modify(next_run_time=datetime.now(UTC) + timedelta(seconds=delay))

    async def _supervise(self, collector: Collector) -> None:
        health, backoff = self._health[collector.name], self._backoff[collector.name]
        attempt = 0
        while True:
            if not health.breaker.allow():
                await asyncio.sleep(health.breaker.remaining_s())
                continue
            in_flight: set[asyncio.Task[int]] = set()
            try:
                async for record, raw in collector.records():
                    # Several records are stored at once so that they share the store's group commit;
                    # the bound keeps memory flat and slows the stream down when the store is behind.
                    while len(in_flight) >= STREAM_IN_FLIGHT:
                        await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                    task = self._spawn(self._deliver_streamed(collector, record, raw), f"deliver:{collector.name}")
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                    attempt = 0
                    backoff.reset()
                if in_flight:
                    await asyncio.wait(in_flight)
                raise SourceError("stream ended")
            except asyncio.CancelledError:
                for task in in_flight:
                    task.cancel()
                raise
            except Exception as err:  # a stream fault is retried, never fatal
                self._failed(collector, err)
                custom = collector.retry_delay(err, attempt) if isinstance(err, SourceError) else None
                attempt += 1
                delay = custom if custom is not None else backoff.next_delay()
                await asyncio.sleep(delay * self.delay_scale)

    async def _deliver_streamed(self, collector: Collector, record: Record, raw: bytes) -> int:
        """Deliver one record of a stream; a record that could not be stored is dealt with here, at once.

        Its sender has been answered (a webhook gets its 503 or 400), a bad item is kept with the rejects, and
        the stream goes on: the store failing for one record is not the source failing, so it never tears the
        stream down nor counts against the source's breaker, and the task never ends with an exception. A record
        the store refused (the store retries a lost connection itself for a while) goes to the rejects too, raw
        bytes and all, so that it can be looked at and replayed rather than lost.
        """
        try:
            return await self._deliver(collector, record, raw)
        except SourceDataError as err:
            await self._reject(collector.name, err)
        except Exception as err:
            error = f"not stored: {type(err).__name__}: {str(err)[:500]}"
            log.error("source_item_not_stored", source=collector.name, kind=record.kind,
                      source_id=record.source_id[:200], error=error)
            await self._keep_rejected(collector.name, record.source_id, raw, error)
        return 0

    async def _deliver(self, collector: Collector, record: Record, raw: bytes) -> int:
        problem = time_problem(record.observed_at, datetime.now(UTC))
        if problem:  # bad input: kept with the rejects, and the source goes on (its stream is not torn down)
            bad = SourceDataError(f"{record.kind} {record.source_id[:200]}: observed_at "
                                  f"{record.observed_at.isoformat()} {problem}", raw=raw, source_id=record.source_id)
            collector.delivered(record, bad)
            await self._reject(collector.name, bad)
            return 0
        health = self._health.get(record.source)
        try:
            stored = await self.sink(record, raw)
        except BaseException as err:
            collector.delivered(record, err)
            raise
        collector.delivered(record, None)
        if stored:
            self.metrics.items_ingested.labels(record.source).inc()
            if health is not None:
                health.count_item()
        else:
            self.metrics.items_duplicate.labels(record.source).inc()
        return int(bool(stored))

    def _failed(self, collector: Collector, err: Exception) -> None:
        if isinstance(err, SourceDataError):
            self._spawn(self._reject(collector.name, err), f"reject:{collector.name}")
        else:
            self.metrics.source_errors.labels(collector.name).inc()
        if not isinstance(err, SourceError):
            log.error("source_unexpected_error", source=collector.name, exc_info=err)
        self._health[collector.name].failure(err)

    async def _reject(self, source: str, error: SourceDataError) -> None:
        self.metrics.source_errors.labels(source).inc()
        log.warning("source_bad_item", source=source, source_id=(error.source_id or "")[:200] or None,
                    error=str(error)[:500])
        await self._keep_rejected(source, error.source_id, error.raw, str(error))

    async def _keep_rejected(self, source: str, source_id: str | None, raw: bytes | None, error: str) -> None:
        """Hand an item that was not stored to the rejects store (``on_bad_item``), raw bytes and all."""
        if self.on_bad_item is None:
            return
        try:
            result = self.on_bad_item(source, source_id, raw, error)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a failing rejects store must not stop collection
            log.exception("bad_item_callback_failed", source=source)
