"""X filtered-stream collector against the fake X API: rules, JSON lines, keep-alives, faults, reconnects."""

from __future__ import annotations

import asyncio

import pytest

from collectors.fetch import HTTPStatusUnavailable
from collectors.x_stream import parse_tweet, x_retry_delay
from kernel.errors import SourceUnavailable

TOKEN_ENV = "BOSAI_TEST_X_TOKEN"


def tweet(i: int, text: str = "津市で道路が冠水しています", **data) -> dict:
    return {
        "data": {"id": str(1000 + i), "text": text, "author_id": "42", "created_at": "2026-09-12T10:00:00.000Z",
                 "lang": "ja", **data},
        "includes": {"users": [{"id": "42", "username": "mie_resident", "name": "三重 太郎"}],
                     "media": [{"media_key": "3_1", "type": "photo", "url": "https://pbs.example/1.jpg"}],
                     "places": [{"id": "p1", "full_name": "津市, 三重", "geo": {"bbox": [136.4, 34.6, 136.6, 34.8]}}]},
        "matching_rules": [{"id": "1", "tag": "mie"}],
    }


@pytest.fixture
def x(fake, build, monkeypatch):
    fs, base = fake
    monkeypatch.setenv(TOKEN_ENV, "secret-token")
    collector = build(kind="x_stream", name="x_mie", base_url=base, token_env=TOKEN_ENV, stall_timeout_s=2,
                      rules=[{"value": "冠水 OR 浸水", "tag": "flood"}, {"value": "停電", "tag": "outage"}])
    return fs, collector


def test_parse_tweet_fields() -> None:
    post = parse_tweet(tweet(1, attachments={"media_keys": ["3_1"]}, geo={"place_id": "p1"}), "x_mie")
    assert (post.source_id, post.author, post.lang) == ("1001", "mie_resident", "ja")
    assert post.url == "https://x.com/mie_resident/status/1001"
    assert post.media_urls == ("https://pbs.example/1.jpg",)
    assert post.geo == pytest.approx((34.7, 136.5))
    assert post.observed_at.isoformat() == "2026-09-12T10:00:00+00:00"
    point = parse_tweet(tweet(2, geo={"coordinates": {"type": "Point", "coordinates": [136.5, 34.7]}}), "x")
    assert point.geo == (34.7, 136.5)
    rt = parse_tweet(tweet(3, referenced_tweets=[{"type": "retweeted", "id": "999"}]), "x")
    assert rt.repost_of == "999"


@pytest.mark.parametrize(
    ("error", "attempts", "expected"),
    [(SourceUnavailable("reset"), [0, 1, 5, 100], [0.25, 0.5, 1.5, 16.0]),
     (HTTPStatusUnavailable("503", 503), [0, 1, 6, 9], [5.0, 10.0, 320.0, 320.0]),
     (HTTPStatusUnavailable("429", 429), [0, 1], [60.0, 120.0]),
     (HTTPStatusUnavailable("429", 429, retry_after_s=900.0), [0], [900.0])],
)
def test_reconnect_policy_as_documented(error, attempts, expected) -> None:
    assert [x_retry_delay(error, a) for a in attempts] == expected


async def test_rules_synced_and_posts_streamed(x, make_runner, sink, bad_items) -> None:
    fs, collector = x
    fs.x_rules = [{"id": "7", "value": "old rule", "tag": ""}, {"id": "8", "value": "停電", "tag": "outage"}]
    runner = make_runner([collector])
    await runner.start()
    async with asyncio.timeout(5):
        await fs.wait_for_clients("x")
    assert sorted(r["value"] for r in fs.x_rules) == ["停電", "冠水 OR 浸水"]
    await fs.push_x_post(tweet(1))
    await fs.push_x_post(tweet(2, text="今日はいい天気"))
    posts = await sink.wait_for(2)
    assert posts[0].matched_terms == ("冠水",) and posts[1].matched_terms == ()
    assert sink.raw[("x_mie", "1001")].startswith(b'{"data"')
    await asyncio.sleep(0.3)  # keep-alives arrive
    assert runner.health()["x_mie"]["state"] == "ok"


async def test_malformed_and_oversized_lines_are_skipped(x, make_runner, sink, bad_items, build, monkeypatch) -> None:
    fs, _ = x
    collector = build(kind="x_stream", name="x_small", base_url=str(x[1].config.base_url), token_env=TOKEN_ENV,
                      sync_rules=False, max_line_bytes=2048)
    fs.faults["x_stream"].malformed_lines = 2
    runner = make_runner([collector])
    await runner.start()
    async with asyncio.timeout(5):
        await fs.wait_for_clients("x")
    await fs.push_raw("x", b'{"data": ' + b"x" * 5000 + b"}\r\n")
    await fs.push_raw("x", b'{"errors": [{"title": "operational-disconnect"}]}\r\n')
    await fs.push_x_post(tweet(1))
    await sink.wait_for(1)
    await asyncio.sleep(0.05)
    errors = [e for _, _, _, e in bad_items.calls]
    assert sum("malformed" in e for e in errors) >= 2 and any("exceeds 2048" in e for e in errors)
    assert runner.health()["x_small"]["state"] == "ok" and len(sink.records) == 1


async def test_disconnect_then_reconnect_and_duplicates(x, make_runner, sink, monkeypatch) -> None:
    fs, collector = x
    fs.faults["x_stream"].disconnect_after_n = 1
    fs.faults["x_stream"].duplicates = True
    runner = make_runner([collector])
    await runner.start()
    async with asyncio.timeout(5):
        await fs.wait_for_clients("x")
    await fs.push_x_post(tweet(1))
    await sink.wait_for(1)
    async with asyncio.timeout(5):
        while fs.hits["x_stream"] < 2 or fs.stream_clients("x") < 1:
            await asyncio.sleep(0.02)
    await fs.push_x_post(tweet(2))
    posts = await sink.wait_for(2)
    assert [p.source_id for p in posts] == ["1001", "1002"]
    assert runner.metrics.items_duplicate.labels("x_mie")._value.get() >= 1


async def test_http_errors_then_recovery(x, make_runner, sink) -> None:
    fs, collector = x
    fs.faults["x_stream"].status, fs.faults["x_stream"].times = 503, 2
    runner = make_runner([collector], delay_scale=0.002)
    await runner.start()
    async with asyncio.timeout(10):
        await fs.wait_for_clients("x")
    assert fs.hits["x_stream"] == 3
    await fs.push_x_post(tweet(5))
    await sink.wait_for(1)
    assert runner.health()["x_mie"]["state"] == "ok"


async def test_missing_or_wrong_token(fake, build, monkeypatch) -> None:
    fs, base = fake
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    collector = build(kind="x_stream", name="x_mie", base_url=base, token_env=TOKEN_ENV, sync_rules=False)
    with pytest.raises(SourceUnavailable, match=TOKEN_ENV):
        async for _ in collector.records():
            pass
    fs.x_token = "right"
    monkeypatch.setenv(TOKEN_ENV, "wrong")
    with pytest.raises(HTTPStatusUnavailable, match="401"):
        async for _ in collector.records():
            pass


async def test_stall_triggers_reconnect(fake, build, monkeypatch) -> None:
    fs, base = fake
    fs.keepalive_s = 5.0  # quieter than the stall timeout
    monkeypatch.setenv(TOKEN_ENV, "t")
    collector = build(kind="x_stream", name="x_mie", base_url=base, token_env=TOKEN_ENV, sync_rules=False,
                      stall_timeout_s=0.3)
    with pytest.raises(SourceUnavailable, match="stalled"):
        async for _ in collector.records():
            pass
