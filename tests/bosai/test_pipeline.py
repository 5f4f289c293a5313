"""Pipeline stages over a real store, with small deterministic stand-ins for the model and gazetteer
(the real ones are exercised end to end in tests/e2e)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select

from bosai.bus import MemoryBus
from bosai.live import LiveHub
from bosai.pipeline import Pipeline
from kernel.metrics import Metrics
from kernel.records import EvacuationNotice, GaugeReading, Place, Post, Prediction
from kernel.store import Store, repo
from kernel.store.models import IncidentRow, PostRow, RawItem

JST = timezone(timedelta(hours=9))


class KeywordClassifier:
    version = "keyword-test"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, texts, *, batch_size=64):
        self.calls.append(len(texts))
        return [
            Prediction("disaster", 0.9, (("flood", 0.8),)) if "冠水" in t else Prediction("other", 0.1)
            for t in texts
        ]


class OnePlaceGeocoder:
    def resolve(self, text, *, geo=None):
        if "津" not in text:
            return []
        return [Place("津市", "municipality", 34.7186, 136.5054, 0.9, "242012", "津市")]


def _pipeline(store: Store, hub: LiveHub, metrics: Metrics, classifier=None, classify_workers: int = 1) -> Pipeline:
    return Pipeline(store=store, bus=MemoryBus(50), classifier=classifier or KeywordClassifier(),
                    geocoder=OnePlaceGeocoder(), metrics=metrics, hub=hub, batch_size=16,
                    classify_workers=classify_workers)


def _post(i: int, text: str) -> Post:
    return Post(source="x_mie", source_id=f"p{i}", observed_at=datetime(2026, 9, 20, 9, 0, tzinfo=JST) +
                timedelta(minutes=i), author="a", text=text)


async def _wait_done(store: Store, n: int) -> None:
    for _ in range(200):
        with store.session() as s:
            done = s.scalar(select(func.count()).select_from(RawItem).where(RawItem.state == "done"))
        if done == n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {done} of {n} items done")


async def test_posts_flow_through_every_stage(store: Store):
    hub, metrics = LiveHub(), Metrics()
    events = []

    async def listen():
        async for e in hub.subscribe():
            events.append(e.name)

    listener = asyncio.create_task(listen())
    classifier = KeywordClassifier()
    pipeline = _pipeline(store, hub, metrics, classifier)
    pipeline.start()
    texts = ["津市の国道が冠水してる", "津駅前も冠水", "今日はいい天気", "大阪で冠水"]
    assert [await pipeline.ingest(_post(i, t), b"raw") for i, t in enumerate(texts)] == [True] * 4
    assert await pipeline.ingest(_post(0, texts[0]), b"raw") is False  # duplicate
    await _wait_done(store, 4)
    assert await pipeline.drain(5)
    await pipeline.stop()
    listener.cancel()
    with store.session() as s:
        posts = {p.text: p for p in s.scalars(select(PostRow))}
        assert posts["今日はいい天気"].label == "other" and posts["今日はいい天気"].incident_id is None
        assert posts["大阪で冠水"].label == "disaster" and posts["大阪で冠水"].lat is None
        tsu = posts["津市の国道が冠水してる"]
        assert tsu.municipality_code == "242012" and tsu.categories == [["flood", 0.8]]
        assert tsu.incident_id is not None and tsu.incident_id == posts["津駅前も冠水"].incident_id
        assert s.scalar(select(func.count()).select_from(IncidentRow)) == 1
    assert "incident" in events and "post" in events
    assert sum(classifier.calls) == 4
    text = metrics.render().decode()
    assert 'bosai_items_processed_total{stage="classify"} 4.0' in text


class SlowClassifier(KeywordClassifier):
    """Blocks long enough that batches overlap when several workers take them."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = self.most_in_flight = 0

    def predict(self, texts, *, batch_size=64):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.05)
        self.in_flight -= 1
        return super().predict(texts, batch_size=batch_size)


async def test_several_classify_workers_share_the_queue_without_double_work(store: Store):
    classifier = SlowClassifier()
    pipeline = _pipeline(store, LiveHub(), Metrics(), classifier, classify_workers=3)
    pipeline.start()
    for i in range(120):
        await pipeline.ingest(_post(i, "津市で冠水" if i % 2 else "晴れ"), b"raw")
    await _wait_done(store, 120)
    assert await pipeline.drain(5)
    await pipeline.stop()
    assert sum(classifier.calls) == 120  # every post classified once
    assert classifier.most_in_flight > 1  # batches really overlapped
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(PostRow).where(PostRow.label.is_(None))) == 0


async def test_restart_resumes_unfinished_items(store: Store):
    now = datetime.now(UTC)
    ids = [await store.write(lambda s, i=i: repo.save_raw(s, _post(i, "津で冠水"), b"", now)) for i in range(3)]

    def classified(s):  # as if killed after the classify stage committed
        for post in s.scalars(select(PostRow).where(PostRow.id.in_(ids[2:]))):
            post.label, post.score, post.categories = "disaster", 0.9, [["flood", 0.8]]
        repo.set_state(s, ids[2:], repo.CLASSIFIED)

    await store.write(classified)
    pipeline = _pipeline(store, LiveHub(), Metrics())
    pipeline.start()
    await _wait_done(store, 3)
    await pipeline.stop()
    with store.session() as s:
        assert all(p.incident_id is not None for p in s.scalars(select(PostRow)))


async def test_gauge_observations_are_processed(store: Store):
    pipeline = _pipeline(store, LiveHub(), Metrics())
    pipeline.start()
    reading = GaugeReading(source="river", source_id="g1@1", observed_at=datetime.now(UTC), gauge_id="g1",
                           name="高岡", river="鈴鹿川", lat=34.88, lng=136.55, level_m=4.5, warning_level=4,
                           threshold_name="氾濫危険水位", crossing="up")
    assert await pipeline.ingest(reading, b"{}")
    await _wait_done(store, 1)
    await pipeline.stop()


async def test_a_failing_stage_marks_items_failed_and_goes_on(store: Store):
    class Broken(KeywordClassifier):
        def predict(self, texts, *, batch_size=64):
            if any("壊" in t for t in texts):
                raise RuntimeError("model exploded")
            return super().predict(texts)

    pipeline = _pipeline(store, LiveHub(), Metrics(), Broken())
    pipeline.start()
    await pipeline.ingest(_post(1, "壊れる"), b"")
    for _ in range(100):
        with store.session() as s:
            if s.scalar(select(RawItem.state)) == "failed":
                break
        await asyncio.sleep(0.05)
    await pipeline.ingest(_post(2, "津で冠水"), b"")
    await _wait_done(store, 1)
    await pipeline.stop()
    with store.session() as s:
        failed = s.scalar(select(RawItem).where(RawItem.state == "failed"))
        assert "model exploded" in failed.error


async def test_one_bad_item_fails_alone_not_with_its_batch(store: Store):
    class Broken(KeywordClassifier):
        def predict(self, texts, *, batch_size=64):
            if any("壊" in t for t in texts):
                raise RuntimeError("model exploded")
            return super().predict(texts)

    pipeline = _pipeline(store, LiveHub(), Metrics(), Broken())
    for i, text in enumerate(["津で冠水", "壊れる", "津駅前も冠水"]):  # queued first: one classify batch
        await pipeline.ingest(_post(i, text), b"")
    pipeline.start(resume=False)
    await _wait_done(store, 2)
    assert pipeline.workers_running()  # the failure took no worker down (/readyz)
    await pipeline.stop()
    with store.session() as s:
        states = dict(s.execute(select(RawItem.source_id, RawItem.state)).all())
        failed = s.scalar(select(RawItem).where(RawItem.state == "failed"))
    assert states == {"p0": "done", "p1": "failed", "p2": "done"}
    assert "model exploded" in failed.error
    assert pipeline.workers_running() is False  # stopped



class RecordingHub(LiveHub):
    """A hub that keeps every event it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, dict]] = []

    def publish(self, name, data):
        self.sent.append((name, data))
        return super().publish(name, data)


async def test_live_events_are_built_after_the_commit_from_what_was_committed(store: Store, monkeypatch):
    """The writer's transaction returns frozen records; the GeoJSON of the events is built from them after the
    commit, never on the writer thread while the transaction is open."""
    from publish import evacuations, geojson

    threads: list[str] = []
    for module, name in [(geojson, "alert_json"), (geojson, "incident_feature"), (geojson, "incidents_geojson"),
                         (geojson, "posts_geojson"), (geojson, "gauges_geojson"), (evacuations, "evacuation_feature")]:
        original = getattr(module, name)

        def spy(*args, _original=original, **kwargs):
            threads.append(threading.current_thread().name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    hub = RecordingHub()
    pipeline = _pipeline(store, hub, Metrics())
    pipeline.start()
    for i, text in enumerate(["津市の国道が冠水してる", "津駅前も冠水"]):
        await pipeline.ingest(_post(i, text), b"raw")
    reading = GaugeReading(source="river", source_id="g1@1", observed_at=datetime.now(UTC), gauge_id="g1",
                           name="高岡", river="鈴鹿川", lat=34.88, lng=136.55, level_m=4.5, warning_level=4,
                           threshold_name="氾濫危険水位", crossing="up")
    await pipeline.ingest(reading, b"{}")
    order = EvacuationNotice(source="cap_tsu", source_id="e1", observed_at=datetime.now(UTC),
                             municipality_code="24201", level=4, towns=("安濃町今徳",), hazard="洪水")
    await pipeline.ingest(order, b"<alert/>")
    await _wait_done(store, 4)
    assert await pipeline.drain(5)
    await pipeline.stop()
    names = [name for name, _ in hub.sent]
    assert {"post", "incident", "alert", "gauge", "evacuation"} <= set(names)
    assert threads and "store-writer" not in threads
    (evacuation,) = [data for name, data in hub.sent if name == "evacuation"]
    assert evacuation["properties"]["level"] == 4 and evacuation["properties"]["alert_id"].startswith("evac-")
    with store.session() as s:
        incident = s.scalars(select(IncidentRow)).one()
    last = [data for name, data in hub.sent if name == "incident"][-1]["properties"]
    assert (last["id"], last["status"]) == (incident.id, "unverified")
    assert (last["post_count"], last["duplicate_count"]) == (incident.post_count, incident.duplicate_count)
    assert incident.post_count + incident.duplicate_count == 2  # the second post's event shows both
