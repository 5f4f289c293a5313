"""JMA Atom collector against the fake JMA server: conditional GET, fetch-once, faults, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from collector_paths import FIXTURES

from collectors.jma_feed import parse_feed
from kernel.errors import SourceDataError, SourceUnavailable
from kernel.records import OfficialReport

AT = datetime(2026, 9, 12, 10, 5, tzinfo=UTC)


def xml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def collect(collector) -> list:
    return [pair async for pair in collector.records()]


async def test_new_entries_once_then_304(fake, build) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    fs.publish_jma(xml("mie_vxww50_landslide.xml"), data_type="VXWW50", at=AT + timedelta(minutes=1))
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml")
    first = await collect(jma)
    assert [r.report_type for r, _ in first] == ["warning", "landslide"]
    assert all(isinstance(r, OfficialReport) and r.source == "jma_extra" for r, _ in first)
    assert first[0][1] == xml("mie_vpww54_warnings.xml")  # raw bytes kept
    assert first[0][0].source_id.endswith("_0_VPWW54_240000.xml")
    assert await collect(jma) == []  # 304
    assert fs.hits["jma_data"] == 2 and fs.hits["jma_feed"] == 2
    fs.publish_jma(xml("mie_vpoa50_heavy_rain.xml"), data_type="VPOA50", at=AT + timedelta(minutes=2))
    third = await collect(jma)
    assert [r.report_type for r, _ in third] == ["heavy_rain"]
    assert fs.hits["jma_data"] == 3  # the older entries were not fetched again


async def test_forced_200_without_change_does_not_refetch(fake, build) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra_l.xml")
    assert len(await collect(jma)) == 1
    jma._conditional.etag = jma._conditional.last_modified = None  # server ignores validators
    fs.faults["jma_feed"].duplicates = True
    assert await collect(jma) == []
    assert fs.hits["jma_data"] == 1


async def test_duplicate_entries_in_one_feed_are_fetched_once(fake, build) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vxse53_earthquake.xml"), feed="eqvol", data_type="VXSE53", office="010000", at=AT)
    fs.faults["jma_feed"].duplicates = True
    jma = build(kind="jma_feed", name="jma_eqvol", url=f"{base}/jma/feed/eqvol.xml")
    assert len(await collect(jma)) == 1 and fs.hits["jma_data"] == 1


async def test_filters_by_data_type_and_office(fake, build) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), office="230000", at=AT)
    fs.publish_jma(xml("other_vpfj50.xml"), data_type="VPFJ50", at=AT)
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml",
                data_types=["VPWW54"], offices=["240000"])
    got = await collect(jma)
    assert len(got) == 1 and got[0][0].source_id.endswith("VPWW54_240000.xml")


async def test_bad_telegram_is_rejected_and_the_rest_go_on(fake, build) -> None:
    fs, base = fake
    fs.publish_jma(xml("hostile_xxe.xml"), at=AT)
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT + timedelta(seconds=1))
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml")
    rejected: list[SourceDataError] = []

    async def reject(source: str, err: SourceDataError) -> None:
        rejected.append(err)

    jma.bind(reject=reject)
    got = await collect(jma)
    assert len(got) == 1
    assert len(rejected) == 1 and b"<!DOCTYPE" in rejected[0].raw and rejected[0].source_id.endswith("xml")
    assert await collect(jma) == []  # not fetched again


async def test_telegram_5xx_keeps_validators_so_the_entry_is_retried(fake, build) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    fs.faults["jma_data"].status, fs.faults["jma_data"].times = 503, 1
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml")
    with pytest.raises(SourceUnavailable, match="503"):
        await collect(jma)
    assert len(await collect(jma)) == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [({"status": 500}, SourceUnavailable), ({"body": b"<html>oops"}, SourceDataError),
     ({"truncate": True}, SourceUnavailable), ({"delay_s": 0.5}, SourceUnavailable),
     ({"body": b"x" * 3000}, SourceDataError)],
)
async def test_feed_faults_map_to_source_errors(fake, build, fault, error) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    for key, value in fault.items():
        setattr(fs.faults["jma_feed"], key, value)
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml", timeout_s=0.2, max_bytes=2048)
    with pytest.raises(error):
        await collect(jma)


async def test_restart_relies_on_the_sink_for_idempotency(fake, build, sink) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    for _ in range(2):  # a fresh collector = a restarted process with empty memory
        jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml")
        for record, raw in await collect(jma):
            await sink(record, raw)
    assert len(sink.records) == 1 and fs.hits["jma_data"] == 2


async def test_memory_of_entry_ids_is_bounded(fake, build) -> None:
    fs, base = fake
    for i in range(5):
        fs.publish_jma(xml("mie_vpoa50_heavy_rain.xml"), data_type="VPOA50", at=AT + timedelta(minutes=i))
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml", remember=3)
    assert len(await collect(jma)) == 5
    assert len(jma._seen) == 3


async def test_runner_recovers_after_5xx(fake, build, make_runner, sink) -> None:
    fs, base = fake
    fs.publish_jma(xml("mie_vpww54_warnings.xml"), at=AT)
    fs.faults["jma_feed"].status, fs.faults["jma_feed"].times = 503, 2
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml", interval_s=5)
    runner = make_runner([jma])
    await runner.start()
    await sink.wait_for(1, within=10)
    health = runner.health()["jma_extra"]
    assert health["state"] == "ok" and health["items"] == 1 and health["consecutive_failures"] == 0
    assert fs.hits["jma_feed"] >= 3
    assert runner.metrics.source_errors.labels("jma_extra")._value.get() == 2


def test_parse_real_feed_capture_with_old_ids() -> None:
    from collector_paths import SAMPLES

    capture = SAMPLES.parent / "atom" / "eqvol_20211124.xml"
    if not capture.exists():
        pytest.skip("captured feed not present")
    entries = parse_feed(capture.read_bytes())
    assert entries and all(e.url.startswith("http") for e in entries)
    assert entries == sorted(entries, key=lambda e: e.updated)
    assert entries[0].data_type and entries[0].office


def test_feed_with_urn_ids_uses_the_link() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja"><title>t</title>'
        b"<entry><title>a</title><id>urn:uuid:1234</id><updated>2020-07-25T01:00:00Z</updated>"
        b'<link type="application/xml" href="http://example.jp/data/x.xml"/></entry>'
        b"<entry><title>no link</title><id>urn:uuid:5678</id></entry></feed>"
    )
    entries = parse_feed(data)
    assert [(e.id, e.url) for e in entries] == [("urn:uuid:1234", "http://example.jp/data/x.xml")]


def test_not_a_feed_is_a_data_error() -> None:
    with pytest.raises(SourceDataError, match="not an Atom feed"):
        parse_feed(b"<rss/>")


async def test_catch_up_reads_the_long_feed_at_start_and_after_failures(fake, build, sink) -> None:
    fs, base = fake
    fs.short_feed_size = 2  # the short feed keeps only the newest entries, as JMA's keeps only minutes
    for i in range(5):
        fs.publish_jma(xml("mie_vpoa50_heavy_rain.xml"), data_type="VPOA50", at=AT + timedelta(minutes=i))
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml",
                catch_up_url=f"{base}/jma/feed/extra_l.xml", timeout_s=1.0)

    async def poll() -> None:
        async for record, raw in jma.records():
            await sink(record, raw)

    await poll()  # start-up: all five from the long feed, none twice from the short one
    assert len(sink.records) == 5 and fs.hits["jma_data"] == 5
    await poll()
    assert len(sink.records) == 5 and fs.hits["jma_data"] == 5  # no catch-up while healthy: 304, nothing new
    fs.faults["jma_feed"].status, fs.faults["jma_feed"].times = 503, 1
    with pytest.raises(SourceUnavailable):
        await poll()
    for i in range(5, 9):  # four telegrams while the source was failing: two already left the short feed
        fs.publish_jma(xml("mie_vpoa50_heavy_rain.xml"), data_type="VPOA50", at=AT + timedelta(minutes=i))
    await poll()
    ids = [r.source_id for r in sink.records]
    assert len(ids) == 9 and len(set(ids)) == 9  # nothing missed, nothing twice
    assert fs.hits["jma_data"] == 9


async def test_without_a_catch_up_feed_entries_gone_from_the_short_feed_are_missed(fake, build) -> None:
    fs, base = fake
    fs.short_feed_size = 2
    for i in range(4):
        fs.publish_jma(xml("mie_vpoa50_heavy_rain.xml"), data_type="VPOA50", at=AT + timedelta(minutes=i))
    jma = build(kind="jma_feed", name="jma_extra", url=f"{base}/jma/feed/extra.xml")
    assert len(await collect(jma)) == 2  # why the long feed is read: the short one dropped two
