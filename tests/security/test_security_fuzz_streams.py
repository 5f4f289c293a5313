"""Fuzzing the X filtered-stream and Mastodon SSE readers: random and mutated lines never stop the stream,
every rejected line reaches the runner's on_bad_item callback and the error metric, good posts arrive."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from security_support import Rejects, Sink

from collectors.base import Collector
from collectors.lines import OversizedLine
from collectors.mastodon_stream import SSEEvent, SSEParser, parse_status
from collectors.registry import build_collectors
from collectors.runner import CollectorRunner
from collectors.social import load_json_object
from kernel.errors import SourceDataError
from kernel.metrics import Metrics
from kernel.records import Post

FUZZ = settings(max_examples=200, deadline=None, derandomize=True)
TOKEN_ENV = "BOSAI_SECURITY_X_TOKEN"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)


def tweet(i: int) -> dict[str, Any]:
    """A v2 filtered-stream payload."""
    return {"data": {"id": str(5000 + i), "text": f"津市で冠水 {i}", "author_id": "7",
                     "created_at": "2026-09-12T10:00:00.000Z", "lang": "ja"},
            "includes": {"users": [{"id": "7", "username": "mie"}]}}


def status(i: int) -> dict[str, Any]:
    """A Mastodon Status entity."""
    return {"id": str(9000 + i), "created_at": "2026-09-12T10:00:00.000Z", "content": f"<p>四日市で浸水 {i}</p>",
            "account": {"acct": "mie@example"}, "language": "ja", "url": f"https://m.example/@mie/{i}"}


def mutate(rnd: random.Random, payload: dict[str, Any]) -> bytes:
    """A broken variant of a good payload: flipped bytes, cut, wrong types, deep nesting, bad UTF-8."""
    line = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    match rnd.randrange(6):
        case 0:
            out = bytearray(line)
            for _ in range(rnd.randint(1, 4)):
                out[rnd.randrange(len(out))] = rnd.choice(b"{}[]\",:x\xff\x00 ")
            return bytes(out)
        case 1:
            return line[: rnd.randrange(1, len(line))]
        case 2:
            key = rnd.choice(list(payload))
            return json.dumps({**payload, key: rnd.choice([[], 3, "x", None, {"a": [1]}])}).encode()
        case 3:
            return b"[" * 5000 + b"]" * 5000  # nested too deeply for json.loads
        case 4:
            return rnd.choice([b"null", b"[]", b"42", b'"text"', b"\xff\xfe\xfd", b"{\"data\": {\"id\": \"1\"}}"])
        case _:
            return line.replace(b"2026-09-12T10:00:00.000Z", rnd.choice([b"yesterday", b"12", b"2026-99-99"]))


@FUZZ
@given(lines=st.lists(st.binary(max_size=80).map(lambda b: b.replace(b"\n", b"")), max_size=30))
def test_sse_parser_accepts_any_lines(lines: list[bytes]) -> None:
    parser = SSEParser(max_bytes=64)
    for line in [*lines, b""]:
        out = parser.feed(line)
        assert out is None or out == "heartbeat" or isinstance(out, SSEEvent | OversizedLine)
        if isinstance(out, SSEEvent):
            assert out.data and sum(len(d) for d in out.data) <= 64


@FUZZ
@given(value=json_values)
def test_status_and_tweet_parsers_raise_only_data_errors(value: Any) -> None:
    line = json.dumps(value).encode()
    for payload in (value, {"data": value}, {**tweet(1), "includes": value}, {**status(1), "account": value},
                    {**status(1), "reblog": value}, {**status(1), "media_attachments": value}):
        try:
            if isinstance(payload, dict):
                post = parse_status(payload, "m")
                assert isinstance(post, Post) and post.source_id
        except SourceDataError as err:
            assert str(err)
    try:
        load_json_object(line, "stream line")
    except SourceDataError as err:
        assert err.raw == line


@pytest.fixture
async def streams(fake, http: aiohttp.ClientSession, tmp_path: Path, monkeypatch) -> AsyncIterator[tuple]:
    """X and Mastodon collectors on the fake sources, run by a runner recording rejects."""
    fs, base = fake
    monkeypatch.setenv(TOKEN_ENV, "token")
    collectors: list[Collector] = build_collectors([
        {"kind": "x_stream", "name": "x_mie", "base_url": base, "token_env": TOKEN_ENV, "sync_rules": False,
         "allow_private": True, "max_line_bytes": 4096},
        {"kind": "mastodon_stream", "name": "mastodon_mie", "base_url": base, "allow_private": True,
         "max_line_bytes": 4096},
    ], http, tmp_path)
    sink, rejects, metrics = Sink(), Rejects(), Metrics()
    runner = CollectorRunner(collectors, sink, metrics, on_bad_item=rejects, delay_scale=0.01, backoff_base_s=0.05)
    await runner.start()
    yield fs, {c.name: c for c in collectors}, runner, sink, rejects, metrics
    await runner.stop()


def _errors(metrics: Metrics, source: str) -> float:
    return metrics.source_errors.labels(source)._value.get()


def _x_outcome(collector: Any, line: bytes) -> str | None:
    """What the X reader makes of a line: 'reject', a post's id, or None (skipped)."""
    if not line.strip():
        return None
    try:
        post = collector._post(line)
    except SourceDataError:
        return "reject"
    return post.source_id if post is not None else None


def _mastodon_outcome(data: bytes) -> str | None:
    """What the Mastodon reader makes of an update event's data (decoded leniently, as SSE lines are)."""
    try:
        return parse_status(load_json_object(data.decode("utf-8", errors="replace").encode(), "status"), "m").source_id
    except SourceDataError:
        return "reject"


async def test_x_stream_goes_on_through_mutated_lines(streams) -> None:
    fs, collectors, runner, sink, rejects, metrics = streams
    await fs.wait_for_clients("x")
    rnd = random.Random(7)
    expected, ids = 0, set()
    for i in range(60):
        bad = mutate(rnd, tweet(1000 + i))
        outcome = _x_outcome(collectors["x_mie"], bad)
        expected += outcome == "reject"
        ids |= {outcome} - {"reject", None}
        await fs.push_raw("x", bad + b"\r\n")
        await fs.push_x_post(tweet(i))
    await fs.push_raw("x", b"{" + b"x" * 10_000 + b"\r\n")  # over max_line_bytes
    await fs.push_x_post(tweet(60))
    await sink.wait_for_ids("x_mie", ids | {str(5000 + i) for i in range(61)})
    x_rejects = [c for c in rejects.calls if c[0] == "x_mie"]
    assert len(x_rejects) == expected + 1 and expected > 30
    assert all(error and raw for _, _, raw, error in x_rejects)
    assert _errors(metrics, "x_mie") == expected + 1
    assert fs.stream_clients("x") == 1 and runner.health()["x_mie"]["state"] == "ok"


async def test_mastodon_stream_goes_on_through_mutated_events(streams) -> None:
    fs, _, runner, sink, rejects, metrics = streams
    await fs.wait_for_clients("mastodon")
    rnd = random.Random(11)
    expected, ids = 0, set()
    for i in range(60):
        bad = mutate(rnd, status(1000 + i))
        outcome = _mastodon_outcome(bad)
        expected += outcome == "reject"
        ids |= {outcome} - {"reject", None}
        await fs.push_raw("mastodon", b"event: update\ndata: " + bad + b"\n\n")
        await fs.push_raw("mastodon", rnd.choice([b"id: 5\nretry: x\n\n", b"junk line\n\n", b":\n", b"event: delete\n"
                                                  b"data: 123\n\n", b"data: \xff\xfe\n\n"]))
        await fs.push_mastodon_status(status(i))
    await fs.push_raw("mastodon", b"event: update\ndata: " + b"x" * 10_000 + b"\n\n")
    await fs.push_mastodon_status(status(60))
    await sink.wait_for_ids("mastodon_mie", ids | {str(9000 + i) for i in range(61)})
    m_rejects = [c for c in rejects.calls if c[0] == "mastodon_mie"]
    assert len(m_rejects) == expected + 1 and expected > 30
    assert _errors(metrics, "mastodon_mie") == expected + 1
    assert fs.stream_clients("mastodon") == 1 and runner.health()["mastodon_mie"]["state"] == "ok"
