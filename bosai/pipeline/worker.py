"""The worker loop: one task per stage (several for classify) taking batches off the bus, with retries while
the database is away and one-by-one reruns so that a bad item fails alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from bosai.bus import Bus
from bosai.context import utc_now
from bosai.live import LiveHub
from bosai.pipeline.classify import classify
from bosai.pipeline.events import EventSink, publish_all
from bosai.pipeline.geocode import geocode
from bosai.pipeline.incidents import group
from bosai.pipeline.ingest import ingest, reject
from bosai.pipeline.observe import observe
from kernel.metrics import Metrics
from kernel.records import Classifier, Geocoder, Record
from kernel.store import Store, repo

log = logging.getLogger(__name__)


class Pipeline:
    """Owns the stage workers; ``ingest`` is the sink the collectors write into."""

    def __init__(
        self,
        *,
        store: Store,
        bus: Bus,
        classifier: Classifier | None,
        geocoder: Geocoder | None,
        metrics: Metrics,
        hub: LiveHub | EventSink,
        batch_size: int = 64,
        classify_workers: int = 1,
        incident_window: timedelta = timedelta(minutes=90),
        incident_radius_km: float = 3.0,
        jma_areas: list[str] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store, self.bus, self.metrics, self.hub = store, bus, metrics, hub
        self.classifier, self.geocoder = classifier, geocoder
        self.batch_size, self.classify_workers = batch_size, classify_workers
        self.incident_window, self.incident_radius_km = incident_window, incident_radius_km
        self.jma_areas = jma_areas or []
        self.clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: dict[str, int] = {}
        self._taken = 0  # batches taken so far, for drain()

    async def ingest(self, record: Record, raw: bytes) -> bool:
        """Persist the raw item, then queue it; False when it was already stored (a duplicate)."""
        return await ingest(self.store, self.bus, record, raw)

    async def reject(self, source: str, source_id: str | None, raw: bytes, error: str) -> None:
        """Keep bad data from a source with the reason (the collector runner counts it in the metrics)."""
        await reject(self.store, source, source_id, raw, error)

    def start(self, *, resume: bool = True) -> None:
        """Start the stage workers and, unless told not to, re-queue what a previous run left unfinished."""
        stages = {
            "classify": self._classify,
            "geocode": self._geocode,
            "incidents": self._incidents,
            "observe": self._observe,
        }
        for name, fn in stages.items():
            # Several classify workers: one batch is inferred while another is read from or written to the store.
            for k in range(self.classify_workers if name == "classify" else 1):
                self._tasks.append(asyncio.create_task(self._worker(name, fn, f"{name}-{k}"), name=f"stage-{name}-{k}"))
        if resume:
            self.start_resume()

    def start_resume(self) -> None:
        """Re-queue, in the background, items a previous run left unfinished (received before now: later
        ones are queued by ``ingest`` itself)."""
        before = utc_now()
        self._tasks.append(asyncio.create_task(self._resume(before), name="resume"))

    async def drain(self, timeout_s: float = 30.0) -> bool:
        """Wait until every queue is empty and no batch is in flight; False on timeout.

        A worker still gathering its batch (``linger_s``, shorter than one check) looks idle, so idleness must
        hold on two checks in a row with no batch taken in between.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        idle_at: int | None = None
        while loop.time() < deadline:
            idle = not any(self._busy.values()) and all(self.bus.depth(t) == 0 for t in self._stage_names())
            if idle and idle_at == self._taken:
                return True
            idle_at = self._taken if idle else None
            await asyncio.sleep(0.05)
        return False

    async def stop(self) -> None:
        """Cancel the workers (after ``drain`` for a clean stop)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    def workers_running(self) -> bool:
        """Whether every stage worker was started and none has ended (they only end when cancelled), for /readyz."""
        workers = [t for t in self._tasks if t.get_name().startswith("stage-")]
        return bool(workers) and not any(t.done() for t in workers)

    def queue_depths(self) -> dict[str, int]:
        """Items waiting per stage, for /healthz and /metrics."""
        return {t: self.bus.depth(t) for t in self._stage_names()}

    @staticmethod
    def _stage_names() -> tuple[str, ...]:
        return ("classify", "geocode", "incidents", "observe")

    async def _resume(self, before: datetime) -> None:
        rows = await self.store.read(lambda s: repo.unfinished(s, before))
        if rows:
            log.info("pipeline_resume items=%d", len(rows))
        for item_id, kind, state in rows:
            if kind != "post":
                await self.bus.put("observe", item_id)
            else:
                await self.bus.put({"new": "classify", "classified": "geocode"}.get(state, "incidents"), item_id)

    async def _worker(self, stage: str, fn: Callable[[list[int]], Any], worker: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            ids = await self.bus.get_batch(stage, self.batch_size, 0.02)
            self._taken += 1
            self._busy[worker] = len(ids)
            start = loop.time()
            try:
                await self._run_batch(stage, fn, ids)
            except asyncio.CancelledError:
                raise
            except Exception:  # the bus failed to ack: the items stay pending (resumed or reclaimed), the worker lives
                log.exception("stage_ack_failed stage=%s items=%d", stage, len(ids))
            finally:
                self._busy[worker] = 0
                self.metrics.stage_latency.labels(stage).observe(loop.time() - start)
                self.metrics.queue_depth.labels(stage).set(self.bus.depth(stage))

    async def _run_batch(self, stage: str, fn: Callable[[list[int]], Any], ids: list[int]) -> None:
        """Run a batch; when it fails, run its items one by one, so that one bad item (a date that overflows,
        a text the model chokes on) fails alone and never takes its neighbours in the batch with it."""
        try:
            await self._until_db_answers(stage, fn, ids)
        except Exception as err:
            if len(ids) == 1:
                await self._fail(stage, ids, err)
                return
            log.warning("stage_batch_failed stage=%s items=%d error=%s (retrying one by one)", stage, len(ids),
                        type(err).__name__)
            for item in ids:
                try:
                    await self._until_db_answers(stage, fn, [item])
                except Exception as one_err:
                    await self._fail(stage, [item], one_err)
                    continue
                await self.bus.ack(stage, [item])
                self.metrics.items_processed.labels(stage).inc()
            return
        await self.bus.ack(stage, ids)
        self.metrics.items_processed.labels(stage).inc(len(ids))

    async def _fail(self, stage: str, ids: list[int], err: Exception) -> None:
        """Mark items failed with the reason, and take them off the queue."""
        log.error("stage_failed stage=%s items=%s", stage, ids, exc_info=err)
        reason = f"{stage}: {err!r}"
        try:
            await self.store.write(lambda s: repo.set_state(s, ids, repo.FAILED, reason))
            await self.bus.ack(stage, ids)
        except Exception:  # the items stay unfinished and are resumed at the next start
            log.exception("stage_fail_state_not_saved stage=%s items=%d", stage, len(ids))

    async def _until_db_answers(self, stage: str, fn: Callable[[list[int]], Any], ids: list[int]) -> None:
        """Run a batch; while the database is unreachable (restart, network) run it again later instead of
        marking the items failed: a stage changes nothing twice, so the retry is safe."""
        delay = 0.2
        while True:
            try:
                await fn(ids)
                return
            except (OperationalError, InterfaceError) as err:
                log.warning("stage_db_unavailable stage=%s items=%d error=%s retry_in_s=%.1f", stage, len(ids),
                            type(err).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _classify(self, ids: list[int]) -> None:
        await classify(self.store, self.bus, self.classifier, ids)

    async def _geocode(self, ids: list[int]) -> None:
        await geocode(self.store, self.bus, self.geocoder, ids)

    async def _incidents(self, ids: list[int]) -> None:
        snapshots, ages = await group(self.store, ids, window=self.incident_window,
                                      radius_km=self.incident_radius_km, now=self.clock())
        publish_all(self.hub, snapshots)
        for age in ages:
            self.metrics.ingest_to_publish.observe(age)

    async def _observe(self, ids: list[int]) -> None:
        publish_all(self.hub, await observe(self.store, ids, jma_areas=self.jma_areas, window=self.incident_window,
                                            radius_km=self.incident_radius_km))
