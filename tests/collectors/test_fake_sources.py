"""The fake sources speak the real protocols: Atom with validators, bearer auth, JSON lines, SSE."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from collectors.jma_feed import parse_feed

AT = datetime(2026, 9, 12, 10, 0, 5, tzinfo=UTC)


async def test_feed_validators_and_long_feed(fake, http) -> None:
    fs, base = fake
    fs.short_feed_size = 1
    for office in ("240000", "230000"):
        fs.publish_jma(b"<Report><Control><Title>t</Title></Control></Report>", office=office, at=AT)
    async with http.get(f"{base}/jma/feed/extra.xml") as resp:
        etag, modified, body = resp.headers["ETag"], resp.headers["Last-Modified"], await resp.read()
    entries = parse_feed(body)
    assert [e.url.rsplit("/", 1)[1] for e in entries] == ["20260912100005_0_VPWW54_230000.xml"]
    assert entries[0].title == "t" and modified == "Sat, 12 Sep 2026 10:00:05 GMT"
    async with http.get(f"{base}/jma/feed/extra.xml", headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304
    async with http.get(f"{base}/jma/feed/extra_l.xml") as resp:
        assert len(parse_feed(await resp.read())) == 2
    async with http.get(f"{base}/jma/feed/nope.xml") as resp:
        assert resp.status == 404
    with pytest.raises(ValueError, match="feed must be one of"):
        fs.publish_jma(b"<x/>", feed="weekly")


async def test_x_stream_requires_a_bearer_and_sends_keepalives(fake, http) -> None:
    fs, base = fake
    async with http.get(f"{base}/2/tweets/search/stream") as resp:
        assert resp.status == 401
    async with http.get(f"{base}/2/tweets/search/stream", headers={"Authorization": "Bearer t"}) as resp:
        assert resp.status == 200 and await resp.content.readline() == b"\r\n"
        async with asyncio.timeout(2):
            await fs.wait_for_clients("x")
        await fs.push_x_post({"data": {"id": "1", "text": "冠水"}})
        line = await resp.content.readline()
        while line == b"\r\n":
            line = await resp.content.readline()
        assert line == '{"data": {"id": "1", "text": "冠水"}}\r\n'.encode()


async def test_mastodon_sse_framing(fake, http) -> None:
    fs, base = fake
    async with http.get(f"{base}/api/v1/streaming/hashtag?tag=三重") as resp:
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        assert await resp.content.readline() == b":thump\n"
        async with asyncio.timeout(2):
            await fs.wait_for_clients("mastodon")
        await fs.push_mastodon_status({"id": "9"})
        lines = []
        while len(lines) < 3:
            line = await resp.content.readline()
            if line != b":thump\n":
                lines.append(line)
        assert lines == [b"event: update\n", b'data: {"id": "9"}\n', b"\n"]


async def test_status_fault_counts_down(fake, http) -> None:
    fs, base = fake
    fs.set_gauge_items([{"code": "1"}])
    fs.faults["river"].status, fs.faults["river"].times = 500, 1
    statuses = []
    for _ in range(2):
        async with http.get(f"{base}/river/readings.json") as resp:
            statuses.append(resp.status)
    assert statuses == [500, 200] and fs.hits["river"] == 2
    fs.reset_faults()
    assert fs.faults["river"].status is None
