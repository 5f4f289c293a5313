"""Mastodon streaming collector against the fake SSE server."""

from __future__ import annotations

import asyncio

import pytest

from collectors.lines import OversizedLine
from collectors.mastodon_stream import SSEEvent, SSEParser, parse_status
from kernel.errors import ConfigError, SourceDataError


def status(i: int, content: str = "<p>四日市で<b>冠水</b>&amp;停電<br>助けて</p>", **extra) -> dict:
    return {
        "id": str(i), "created_at": "2026-09-12T10:01:00.000Z", "language": "ja",
        "url": f"https://mastodon.example/@taro/{i}", "content": content, "spoiler_text": "",
        "account": {"id": "1", "username": "taro", "acct": "taro@mastodon.example"},
        "media_attachments": [{"type": "image", "url": "https://files.example/a.jpg"}], "reblog": None, **extra,
    }


def test_sse_parser_events_and_heartbeats() -> None:
    parser = SSEParser()
    out = [parser.feed(line) for line in
           [b":thump", b"event: update", b"data: {\"a\":", b"data: 1}", b"", b"", b"event: delete", b"data: 5", b""]]
    assert out[0] == "heartbeat"
    events = [o for o in out if isinstance(o, SSEEvent)]
    assert [(e.event, "\n".join(e.data)) for e in events] == [("update", '{"a":\n1}'), ("delete", "5")]


def test_sse_events_are_bounded() -> None:
    parser = SSEParser(max_bytes=10)
    out = [parser.feed(line) for line in [b"event: update", b"data: 123456", b"data: 789012", b"data: x", b"",
                                          b"event: update", b"data: ok", b""]]
    assert isinstance(out[2], OversizedLine) and out[3] is None and out[4] is None
    assert isinstance(out[-1], SSEEvent) and out[-1].data == ["ok"]


def test_parse_status_html_to_text_and_reblog() -> None:
    post = parse_status(status(1, content='<p>浸水<script>alert(1)</script> <a href="x">#大雨</a></p>'), "m")
    assert post.text == "浸水 #大雨" and "<" not in post.text
    assert post.author == "taro@mastodon.example" and post.media_urls == ("https://files.example/a.jpg",)
    assert post.geo is None and post.lang == "ja"
    boost = parse_status(status(2, content="", reblog=status(1)), "m")
    assert boost.repost_of == "1" and "冠水" in boost.text
    with pytest.raises(SourceDataError):
        parse_status({"id": "3"}, "m")


async def test_stream_updates_heartbeats_and_bad_events(fake, build, make_runner, sink, bad_items) -> None:
    fs, base = fake
    m = build(kind="mastodon_stream", name="mastodon_jp", base_url=base, stream="hashtag", tag="#三重",
              prefilter={"drop_unmatched": True, "terms": ["冠水", "浸水"]})
    fs.faults["mastodon"].malformed_lines = 1
    runner = make_runner([m])
    await runner.start()
    async with asyncio.timeout(5):
        await fs.wait_for_clients("mastodon")
    await fs.push_mastodon_status(status(1))
    await fs.push_mastodon_status(status(2, content="<p>おはよう</p>"))  # dropped by the prefilter
    await fs.push_raw("mastodon", b"event: delete\ndata: 1\n\n")
    await fs.push_mastodon_status(status(3, content="<p>道路が浸水</p>"))
    posts = await sink.wait_for(2)
    assert [p.source_id for p in posts] == ["1", "3"]
    assert posts[0].text == "四日市で冠水&停電\n助けて" and posts[0].matched_terms == ("冠水",)
    assert len(bad_items.calls) >= 2 and all("malformed" in c[3] for c in bad_items.calls)
    assert runner.health()["mastodon_jp"]["state"] == "ok"


async def test_disconnect_and_5xx_then_reconnect(fake, build, make_runner, sink) -> None:
    fs, base = fake
    m = build(kind="mastodon_stream", name="mastodon_jp", base_url=base, stream="public")
    fs.faults["mastodon"].disconnect_after_n = 1
    runner = make_runner([m])
    await runner.start()
    async with asyncio.timeout(5):
        await fs.wait_for_clients("mastodon")
    fs.faults["mastodon"].status, fs.faults["mastodon"].times = 500, 1
    await fs.push_mastodon_status(status(1))
    await sink.wait_for(1)
    fs.faults["mastodon"].disconnect_after_n = None
    async with asyncio.timeout(5):
        while fs.stream_clients("mastodon") < 1:
            await asyncio.sleep(0.02)
    await fs.push_mastodon_status(status(2))
    await sink.wait_for(2)
    assert fs.hits["mastodon"] >= 3
    assert runner.health()["mastodon_jp"]["consecutive_failures"] == 0


def test_hashtag_stream_needs_a_tag(build) -> None:
    with pytest.raises(ConfigError, match="tag is required"):
        build(kind="mastodon_stream", name="m", base_url="http://x", stream="hashtag")
