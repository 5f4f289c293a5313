"""Stage workers: ingest (persist raw, then queue) -> classify -> geocode -> incidents, and observe for
official reports, gauges and cameras.

Each stage reads its items from the store by id, does its work, and writes its results together with the
item's next state in one transaction, so a crash at any point leaves every item in a state from which
the next start resumes it; re-running a stage on an item changes nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from bosai.bus import Bus
from bosai.context import utc_now
from bosai.live import LiveHub
from kernel.metrics import Metrics
from kernel.records import Classifier, EvacuationNotice, Geocoder, Place, Prediction, Record, record_from_json
from kernel.store import Store, repo
from kernel.store.db import Batched
from kernel.store.models import CameraImageRow, GaugeReadingRow, OfficialReportRow, PostRow, RawItem
from publish import alerts, evacuations, geojson, incidents

log = logging.getLogger(__name__)
Event = tuple[str, dict[str, Any]]


class EventSink(Protocol):
    """Where the stages send live events: the local hub, or a fan-out to every process."""

    def publish(self, name: str, data: dict[str, Any]) -> None:
        """Send one event."""
        ...


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
        item_id = await self.store.write(Batched(repo.save_raws, (record, raw, utc_now())))
        if item_id is None:
            return False  # the collector runner counts ingested and duplicate items per source
        await self.bus.put("classify" if record.kind == "post" else "observe", item_id)
        return True

    async def reject(self, source: str, source_id: str | None, raw: bytes, error: str) -> None:
        """Keep bad data from a source with the reason (the collector runner counts it in the metrics)."""
        await self.store.write(lambda s: repo.save_reject(s, source, source_id, raw, error, utc_now()))

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
        posts = await self.store.read(lambda s: _texts(s, ids))
        assert self.classifier is not None, "stage workers need a classifier"
        preds = await asyncio.to_thread(self.classifier.predict, [text for _, text, _ in posts])
        version = getattr(self.classifier, "version", "unknown")

        def save(session: Session) -> list[int]:
            flagged, other = [], []
            now = utc_now()
            pairs = list(zip(posts, preds, strict=True))
            rows = [_prediction_row(post_id, pred, version, now) for (post_id, _, _), pred in pairs]
            if rows:
                session.execute(update(PostRow), rows)
            for (post_id, _, _), pred in pairs:
                (flagged if pred.label == "disaster" else other).append(post_id)
            repo.set_state(session, flagged, repo.CLASSIFIED)
            repo.set_state(session, other, repo.DONE)
            return flagged

        for post_id in await self.store.write(save):
            await self.bus.put("geocode", post_id)

    async def _geocode(self, ids: list[int]) -> None:
        posts = await self.store.read(lambda s: _texts(s, ids))
        geocoder = self.geocoder
        assert geocoder is not None, "stage workers need a geocoder"
        found = await asyncio.to_thread(lambda: [geocoder.resolve(text, geo=geo) for _, text, geo in posts])

        def save(session: Session) -> None:
            rows = [_places_row(post_id, places) for (post_id, _, _), places in zip(posts, found, strict=True)]
            if rows:
                session.execute(update(PostRow), rows)
            repo.set_state(session, [p[0] for p in posts], repo.GEOCODED)

        await self.store.write(save)
        for post_id in ids:
            await self.bus.put("incidents", post_id)

    async def _incidents(self, ids: list[int]) -> None:
        now = self.clock()

        def save(session: Session) -> tuple[list[Event], list[float]]:
            events: list[Event] = []
            ages: list[float] = []
            posts = list(session.scalars(select(PostRow).where(PostRow.id.in_(ids))))
            attached = incidents.attach_posts(
                session, posts, window=self.incident_window, radius_km=self.incident_radius_km, now=now
            )
            for post, incident in zip(posts, attached, strict=True):
                if post.lat is not None:
                    events.append(("post", geojson.posts_geojson([post])["features"][0]))
                if incident is not None:
                    events.append(("incident", geojson.incidents_geojson([incident])["features"][0]))
            repo.set_state(session, ids, repo.DONE)
            received = session.scalars(select(RawItem.received_at).where(RawItem.id.in_(ids)))
            wall = utc_now()
            ages.extend((wall - r).total_seconds() for r in received)
            return events, ages

        events, ages = await self.store.write(save)
        self._publish(events)
        for age in ages:
            self.metrics.ingest_to_publish.observe(age)

    async def _observe(self, ids: list[int]) -> None:
        window, radius = self.incident_window, self.incident_radius_km

        def save(session: Session) -> list[Event]:
            events: list[Event] = []
            for report in session.scalars(select(OfficialReportRow).where(OfficialReportRow.id.in_(ids))):
                for alert in alerts.alerts_from_report(session, report, areas=self.jma_areas):
                    events.append(("alert", geojson.alert_json(alert)))
                events.append(("warning", {"id": report.id, "title": report.title, "type": report.report_type}))
            for reading in session.scalars(select(GaugeReadingRow).where(GaugeReadingRow.id.in_(ids))):
                alert = alerts.alert_from_gauge(session, reading)
                if alert is not None:
                    events.append(("alert", geojson.alert_json(alert)))
                for incident in incidents.corroborate(session, reading, radius_km=radius, window=window):
                    events.append(("incident", geojson.incidents_geojson([incident])["features"][0]))
                events.append(("gauge", geojson.gauges_geojson([reading])["features"][0]))
            for image in session.scalars(select(CameraImageRow).where(CameraImageRow.id.in_(ids))):
                incidents.corroborate(session, image, radius_km=radius, window=window)
                events.append(("camera", {"camera_id": image.camera_id, "name": image.name,
                                          "lat": image.lat, "lng": image.lng, "status": image.status}))
            events += _apply_evacuation_notices(session, ids)
            repo.set_state(session, ids, repo.DONE)
            return events

        self._publish(await self.store.write(save))

    def _publish(self, events: list[Event]) -> None:
        for name, data in events:
            self.hub.publish(name, data)


def _apply_evacuation_notices(session: Session, ids: list[int]) -> list[Event]:
    """Municipal evacuation notices (CAP) among ``ids``: applied in the order received, as the municipality
    sent them; a notice that cannot be applied is logged and left with its raw item, never retried forever."""
    events: list[Event] = []
    stmt = select(RawItem).where(RawItem.id.in_(ids), RawItem.kind == "evacuation").order_by(RawItem.id)
    for item in session.scalars(stmt):
        notice = record_from_json(item.record)
        if not isinstance(notice, EvacuationNotice):
            continue
        try:
            applied = evacuations.apply_notice(session, notice, actor=f"cap:{item.source}")
        except evacuations.NoticeError as err:
            log.warning("evacuation_notice_not_applied item=%d error=%s", item.id, err)
            continue
        if applied.alert is not None and applied.changed:
            events.append(("alert", geojson.alert_json(applied.alert)))
        if applied.evacuation is not None and applied.changed:
            events.append(("evacuation", evacuations.feature(applied.evacuation)))
    return events


def _texts(session: Session, ids: list[int]) -> list[tuple[int, str, tuple[float, float] | None]]:
    rows = session.execute(
        select(PostRow.id, PostRow.text, PostRow.geo_lat, PostRow.geo_lng).where(PostRow.id.in_(ids))
    )
    return [
        (r.id, r.text, (r.geo_lat, r.geo_lng) if r.geo_lat is not None and r.geo_lng is not None else None)
        for r in rows
    ]


def _prediction_row(post_id: int, pred: Prediction, version: str, now: datetime) -> dict[str, Any]:
    """Values of a bulk UPDATE of one post's classification."""
    return {"id": post_id, "label": pred.label, "score": pred.score, "model_version": version,
            "categories": [[name, score] for name, score in pred.categories], "classified_at": now}


def _places_row(post_id: int, places: list[Place]) -> dict[str, Any]:
    """Values of a bulk UPDATE of one post's places; the best place locates the post."""
    best = places[0] if places else None
    return {"id": post_id, "places": [asdict(p) for p in places],
            "lat": best.lat if best else None, "lng": best.lng if best else None,
            "municipality": best.municipality if best else None, "municipality_code": best.code if best else None}
