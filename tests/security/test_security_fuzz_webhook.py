"""Fuzzing POST /webhook/{source} through the real web app and collector runner: random bodies and headers
only ever get 2xx or 4xx; signed bodies that are refused are recorded with their raw bytes."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from security_support import Rejects, Sink
from web_factories import make_ctx

from bosai.web.app import create_app
from collectors.registry import build_collectors
from collectors.runner import CollectorRunner
from collectors.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from kernel.metrics import Metrics
from kernel.store import Store

SECRET_ENV = "BOSAI_SECURITY_WEBHOOK_SECRET"
SECRET = "fuzz-secret"
FUZZ = settings(max_examples=120, deadline=None, derandomize=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
post_like = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=8), st.integers()), "text": st.one_of(st.text(max_size=40), st.none())},
    optional={"created_at": st.sampled_from(["2026-09-12T10:00:00+09:00", "2026-09-12T10:00:00", "soon", "", 5]),
              "lat": st.one_of(st.floats(), st.text(max_size=3)), "lng": st.floats(),
              "media_urls": st.lists(st.text(max_size=5), max_size=25), "author": json_values, "extra": json_values},
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@dataclass
class Stack:
    """The web app over a webhook collector run by a runner, served on an event loop of its own."""

    loop: asyncio.AbstractEventLoop
    client: TestClient
    sink: Sink
    rejects: Rejects

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body`` and return the status."""

        async def go() -> int:
            async with self.client.post("/webhook/hook", data=body, headers=headers) as resp:
                await resp.read()
                return resp.status

        return self.loop.run_until_complete(go())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack for the whole module (hypothesis calls the test body many times)."""
    tmp = tmp_path_factory.mktemp("webhook")
    loop = asyncio.new_event_loop()
    patch = pytest.MonkeyPatch()
    patch.setenv(SECRET_ENV, SECRET)
    store = Store(f"sqlite:///{tmp}/web.db")
    store.upgrade()
    store.start()
    sink, rejects = Sink(), Rejects()

    async def start() -> tuple[TestClient, CollectorRunner, aiohttp.ClientSession]:
        http = aiohttp.ClientSession()
        hook = build_collectors([{"kind": "webhook", "name": "hook", "secret_env": SECRET_ENV, "timeout_s": 5,
                                  "max_body_bytes": 8192}], http, Path(tmp))
        runner = CollectorRunner(hook, sink, Metrics(), on_bad_item=rejects)
        await runner.start()
        ctx = make_ctx(store, Path(tmp), webhook_handlers=runner.webhook_handlers())
        client = TestClient(TestServer(create_app(ctx)))
        await client.start_server()
        return client, runner, http

    client, runner, http = loop.run_until_complete(start())
    yield Stack(loop, client, sink, rejects)

    async def stop() -> None:
        await runner.stop()
        await client.close()
        await http.close()

    loop.run_until_complete(stop())
    loop.close()
    store.close()
    patch.undo()


_offsets = itertools.count()


def signed(body: bytes, at: float | None = None) -> dict[str, str]:
    """Valid signature headers for ``body``, each at its own second of the replay window (no false replays)."""
    at = at if at is not None else time.time() + next(_offsets) % 580 - 290
    return {**sign(SECRET, body, int(at)), "Content-Type": "application/json"}


def _check(stack: Stack, body: bytes, headers: dict[str, str]) -> int:
    before = len(stack.rejects.calls)
    status = stack.post(body, headers)
    assert status < 500, (status, body[:200], headers)
    if status == 400:  # a signed body refused: recorded with its bytes
        assert stack.rejects.calls[before:] and stack.rejects.calls[-1][2] == body
        assert stack.rejects.calls[-1][3]
    return status


@FUZZ
@given(value=st.one_of(json_values, post_like, st.fixed_dictionaries({"posts": st.lists(post_like, max_size=3)})))
def test_signed_random_json_gets_2xx_or_400(stack: Stack, value: Any) -> None:
    body = json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8")
    assert _check(stack, body, signed(body)) in (200, 400, 413)


@FUZZ
@given(body=st.binary(max_size=300))
def test_signed_random_bytes_get_2xx_or_400(stack: Stack, body: bytes) -> None:
    assert _check(stack, body, signed(body)) in (200, 400)


@FUZZ
@given(stamp=header_text, signature=header_text, extra=st.dictionaries(
    st.sampled_from(["Content-Type", "Content-Encoding", "X-Forwarded-For", "Transfer-Encoding", "Expect"]),
    header_text, max_size=2))
def test_random_headers_never_5xx(stack: Stack, stamp: str, signature: str, extra: dict[str, str]) -> None:
    body = '{"id": "h1", "text": "冠水", "created_at": "2026-09-12T10:00:00+09:00"}'.encode()
    headers = {**extra, TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature}
    try:
        status = stack.post(body, headers)
    except aiohttp.ClientError:
        return  # the client itself refused to send the header set (e.g. a bogus Transfer-Encoding)
    assert status < 500 and status != 200, (status, headers)


def test_bad_signature_stale_and_replayed_requests_get_401(stack: Stack) -> None:
    body = '{"id": "sig-1", "text": "四日市で浸水", "created_at": "2026-09-12T10:00:00+09:00"}'.encode()
    good = signed(body)
    forged = {**good, SIGNATURE_HEADER: "sha256=" + "0" * 64}
    stale = signed(body, time.time() - 3600)
    future = signed(body, time.time() + 3600)
    other_body = signed(body.replace(b"sig-1", b"sig-2"))
    for headers in (forged, stale, future, other_body, {}):
        assert stack.post(body, headers) == 401
    assert stack.post(body, good) == 200
    assert stack.post(body, good) == 401  # replayed
    assert [r.source_id for r in stack.sink.of("hook")].count("sig-1") == 1


def test_deeply_nested_signed_body_is_a_400_not_a_500(stack: Stack) -> None:
    body = b"[" * 4000 + b"]" * 4000  # json.loads used to raise RecursionError here
    assert _check(stack, body, signed(body)) == 400


def test_oversized_bodies_get_413(stack: Stack) -> None:
    big = b'{"id": "big", "text": "' + b"x" * 9000 + b'", "created_at": "2026-09-12T10:00:00+09:00"}'
    assert stack.post(big, signed(big)) == 413
    app_limit = b"x" * (1024 * 1024 + 10)  # over the web app's own client_max_size too
    assert stack.post(app_limit, signed(app_limit)) == 413
