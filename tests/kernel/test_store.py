from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, select

from kernel.records import GaugeReading, OfficialReport, Post
from kernel.store import Store, repo
from kernel.store.db import Batched, run_group
from kernel.store.migrate import alembic_config, current
from kernel.store.models import GaugeReadingRow, OfficialReportRow, PostRow, RawItem

JST = timezone(timedelta(hours=9))


def _post(i: int, text: str = "川があふれそう") -> Post:
    return Post(source="x_mie", source_id=str(i), observed_at=datetime(2026, 9, 20, 9, i % 60, tzinfo=JST),
                author=f"user{i}", text=text, geo=(34.7, 136.5), media_urls=("http://m/1.jpg",))


def test_migrations_create_every_table(store: Store):
    head = ScriptDirectory.from_config(alembic_config(store.url)).get_current_head()
    assert head is not None and current(store.engine) == head
    tables = set(inspect(store.engine).get_table_names())
    assert {"raw_items", "posts", "official_reports", "gauge_readings", "camera_images", "incidents",
            "incident_events", "alerts", "subscriptions", "deliveries", "operators", "rejects"} <= tables


async def test_save_raw_is_idempotent_on_source_and_id(store: Store):
    now = datetime.now(UTC)
    first = await store.write(lambda s: repo.save_raw(s, _post(1), b'{"id":"1"}', now))
    again = await store.write(lambda s: repo.save_raw(s, _post(1, "changed"), b"other", now))
    other_source = await store.write(
        lambda s: repo.save_raw(s, Post(source="mastodon", source_id="1", observed_at=now, author="a", text="t"),
                                b"", now))
    assert isinstance(first, int) and again is None and isinstance(other_source, int)
    with store.session() as s:
        post = s.get(PostRow, first)
        assert post.text == "川があふれそう" and post.geo_lat == 34.7 and post.media_urls == ["http://m/1.jpg"]
        raw = s.get(RawItem, first)
        assert raw.raw == b'{"id":"1"}' and raw.state == "new"
        assert raw.observed_at == datetime(2026, 9, 20, 0, 1, tzinfo=UTC)  # read back aware, in UTC


async def test_concurrent_writes_share_commits_and_lose_nothing(store: Store):
    now = datetime.now(UTC)
    results = await asyncio.gather(
        *(store.write(lambda s, i=i: repo.save_raw(s, _post(i % 150), b"x", now)) for i in range(300))
    )
    assert sum(r is not None for r in results) == 150
    with store.session() as s:
        assert repo.counts(s)["posts"] == 150


async def test_one_failing_write_spares_the_others_in_its_group(store: Store):
    now = datetime.now(UTC)

    def bad(_s):
        raise ValueError("boom")

    ok1 = store.write(lambda s: repo.save_raw(s, _post(1), b"", now))
    failing = store.write(bad)
    ok2 = store.write(lambda s: repo.save_raw(s, _post(2), b"", now))
    r1, err, r2 = await asyncio.gather(ok1, failing, ok2, return_exceptions=True)
    assert isinstance(err, ValueError) and r1 and r2
    with store.session() as s:
        assert repo.counts(s)["posts"] == 2


async def test_items_ingested_together_share_their_inserts(store: Store):
    now, statements = datetime.now(UTC), []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: statements.append(sql) if "INSERT INTO raw_items" in sql else None)
    # 300 posts, each twice: copies in the same group and copies already stored are both duplicates.
    results = await asyncio.gather(
        *(store.write(Batched(repo.save_raws, (_post(i % 150), b"x", now))) for i in range(300)))
    assert sum(r is not None for r in results) == 150 and len(set(results) - {None}) == 150
    assert len(statements) < 100  # one per group (of up to 256 writes), not one per post
    with store.session() as s:
        assert repo.counts(s)["posts"] == 150
        rows = s.execute(select(RawItem.id, RawItem.source_id)).all()
        assert {str(i) for i in range(150)} == {source_id for _, source_id in rows}
        for item_id, source_id in rows:  # each id went back to the post it belongs to
            assert s.get(PostRow, item_id).author == f"user{source_id}"


async def test_a_failing_batched_write_fails_alone(store: Store):
    def many(_s, args: list[str]) -> list[str]:
        if "bad" in args:
            raise ValueError("bad argument")
        return [a.upper() for a in args]

    results = await asyncio.gather(*(store.write(Batched(many, a)) for a in ("a", "bad", "b")),
                                   return_exceptions=True)
    assert results[0] == "A" and isinstance(results[1], ValueError) and results[2] == "B"


def test_run_group_calls_each_kind_of_batched_write_once_in_place() -> None:
    calls, order = [], []

    def upper(_s, args: list[str]) -> list[str]:
        calls.append(args)
        order.append("upper")
        return [a.upper() for a in args]

    def plain(name: str):
        return lambda _s: order.append(name) or name

    group = [plain("p1"), Batched(upper, "a"), plain("p2"), Batched(upper, "b"),
             Batched(lambda _s, args: [len(a) for a in args], "xy")]
    assert run_group(None, group) == ["p1", "A", "p2", "B", 2]  # type: ignore[arg-type]
    assert calls == [["a", "b"]] and order == ["p1", "upper", "p2"]


async def test_a_cancelled_write_is_skipped_and_its_group_still_answers(store: Store, caplog):
    now, gate, ran = datetime.now(UTC), threading.Event(), []

    def blocking(_s):
        gate.wait(5)  # holds the writer so the next jobs queue up behind it

    def record(i: int):
        def fn(s):
            ran.append(i)
            return repo.save_raw(s, _post(i), b"", now)
        return fn

    first = store.submit(blocking)
    abandoned, kept = store.submit(record(1)), store.submit(record(2))
    assert abandoned.cancel()  # the caller went away while the write was still queued
    gate.set()
    first.result(5)
    assert kept.result(5) is not None
    assert ran == [2]
    assert "store_commit_failed" not in caplog.text
    with store.session() as s:
        assert repo.counts(s)["posts"] == 1


async def test_typed_rows_for_reports_and_gauges(store: Store):
    now = datetime.now(UTC)
    report = OfficialReport(
        source="jma_extra", source_id="u1", observed_at=now, title="三重県気象警報・注意報",
        info_kind="気象警報・注意報",
        info_type="発表", status="通常", report_datetime=datetime(2026, 9, 20, 9, 0, tzinfo=JST),
        report_type="warning", items=({"type": "warning", "area_code": "2420100"},), area_codes=("2420100",), level=3,
    )
    gauge = GaugeReading(source="river", source_id="g1@t", observed_at=now, gauge_id="g1", name="高岡",
                         river="鈴鹿川", lat=34.9, lng=136.5, level_m=3.2, warning_level=2, crossing="up")
    rid = await store.write(lambda s: repo.save_raw(s, report, b"<Report/>", now))
    gid = await store.write(lambda s: repo.save_raw(s, gauge, b"{}", now))
    with store.session() as s:
        row = s.get(OfficialReportRow, rid)
        assert row.items[0]["area_code"] == "2420100" and row.level == 3
        assert row.report_datetime.utcoffset() == timedelta(0) and row.report_datetime.hour == 0
        assert s.get(GaugeReadingRow, gid).crossing == "up"
        assert s.scalar(select(RawItem.record).where(RawItem.id == gid))["gauge_id"] == "g1"


async def test_unfinished_lists_items_to_resume(store: Store):
    now = datetime.now(UTC)
    ids = [await store.write(lambda s, i=i: repo.save_raw(s, _post(i), b"", now)) for i in range(4)]
    await store.write(lambda s: repo.set_state(s, ids[:1], repo.DONE))
    await store.write(lambda s: repo.set_state(s, ids[1:2], repo.CLASSIFIED))
    with store.session() as s:
        assert [(i, st) for i, _k, st in repo.unfinished(s)] == [(ids[1], "classified"), (ids[2], "new"),
                                                                (ids[3], "new")]


def test_naive_datetimes_are_refused(store: Store):
    naive = Post(source="x", source_id="n", observed_at=datetime(2026, 1, 1), author="a", text="t")
    with pytest.raises(Exception, match="naive datetime"):
        store.submit(lambda s: repo.save_raw(s, naive, b"", datetime.now(UTC))).result(10)


def test_migrations_match_the_models(store: Store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from kernel.store.models import Base

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
