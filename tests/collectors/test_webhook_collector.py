"""Webhook collector mounted in an aiohttp app: signatures, limits, bad JSON, storage before 200."""

from __future__ import annotations

import json
import time

import pytest
from aiohttp import web

from collectors.webhook import sign

SECRET_ENV = "BOSAI_TEST_WEBHOOK_SECRET"


def post(i: int = 1, **extra) -> dict:
    return {"id": f"p{i}", "text": "鈴鹿市で川があふれそう", "author": "citizen",
            "created_at": "2026-09-12T19:10:00+09:00", "lat": 34.88, "lng": 136.58, **extra}


@pytest.fixture
async def client(aiohttp_client, build, make_runner, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    hook = build(kind="webhook", name="partner", secret_env=SECRET_ENV, max_body_bytes=4096, timeout_s=2)
    runner = make_runner([hook])
    await runner.start()
    app = web.Application()
    handlers = runner.webhook_handlers()

    async def route(request: web.Request) -> web.StreamResponse:
        return await handlers[request.match_info["source_name"]](request)

    app.router.add_post("/webhook/{source_name}", route)
    return await aiohttp_client(app), runner


async def send(client, body: bytes, secret: str = "s3cret", ts: int | None = None, headers: dict | None = None):
    hdrs = {"Content-Type": "application/json", **sign(secret, body, ts or int(time.time())), **(headers or {})}
    return await client.post("/webhook/partner", data=body, headers=hdrs)


async def test_signed_post_is_stored_before_200(client, sink) -> None:
    c, runner = client
    resp = await send(c, json.dumps(post()).encode())
    assert resp.status == 200 and await resp.json() == {"accepted": 1, "dropped": 0}
    (stored,) = sink.records
    assert stored.source == "partner" and stored.geo == (34.88, 136.58) and stored.matched_terms == ()
    assert json.loads(sink.raw[("partner", "p1")]) == post()
    assert runner.health()["partner"]["items"] == 1


async def test_batch_and_duplicates(client, sink) -> None:
    c, runner = client
    body, now = json.dumps({"posts": [post(1), post(2, text="冠水")]}).encode(), int(time.time())
    assert (await send(c, body, ts=now)).status == 200
    # Resent with another timestamp, so a new signature (one clock read: two could give the same second)
    assert (await send(c, body, ts=now - 1)).status == 200
    assert [p.source_id for p in sink.records] == ["p1", "p2"]
    assert runner.metrics.items_duplicate.labels("partner")._value.get() == 2


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [({"secret": "wrong"}, "bad signature"), ({"ts": 1_000_000}, "replay window"),
     ({"headers": {"X-Bosai-Signature": "md5=00"}}, "missing")],
)
async def test_bad_signatures_get_401(client, sink, kwargs, reason) -> None:
    c, _ = client
    resp = await send(c, json.dumps(post()).encode(), **kwargs)
    assert resp.status == 401 and reason in (await resp.json())["error"]
    assert sink.records == []


async def test_replayed_request_gets_401(client) -> None:
    c, _ = client
    body, ts = json.dumps(post()).encode(), int(time.time())
    assert (await send(c, body, ts=ts)).status == 200
    resp = await send(c, body, ts=ts)
    assert resp.status == 401 and "replayed" in (await resp.json())["error"]


async def test_giant_body_gets_413(client) -> None:
    c, _ = client
    resp = await send(c, json.dumps(post(text="あ" * 5000)).encode())
    assert resp.status == 413

    async def chunks():
        for _ in range(10):
            yield b"x" * 1000

    resp = await c.post("/webhook/partner", data=chunks())  # chunked: no Content-Length
    assert resp.status == 413


async def test_body_arriving_in_pieces_is_read_whole(client, sink) -> None:
    c, _ = client
    body = json.dumps(post(text="浸水" * 600), ensure_ascii=False).encode()

    async def pieces():
        for i in range(0, len(body), 500):
            yield body[i : i + 500]

    resp = await c.post("/webhook/partner", data=pieces(), headers=sign("s3cret", body, int(time.time())))
    assert resp.status == 200 and sink.records[0].text == "浸水" * 600


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"{not json", "not valid UTF-8 JSON"), ("{}".encode("utf-16"), "not valid UTF-8 JSON"),
     (json.dumps({"id": "x"}).encode(), "text: Field required"),
     (json.dumps(post(created_at="2026-09-12T19:10:00")).encode(), "UTC offset"),
     (json.dumps({"posts": []}).encode(), "posts")],
)
async def test_bad_json_gets_400_with_a_clear_message(client, sink, body, message) -> None:
    c, _ = client
    resp = await send(c, body)
    assert resp.status == 400 and message in (await resp.json())["error"]
    assert sink.records == []


async def test_unconfigured_secret_refuses_everything(client, monkeypatch) -> None:
    c, _ = client
    monkeypatch.delenv(SECRET_ENV)
    resp = await send(c, json.dumps(post()).encode())
    assert resp.status == 401 and "not configured" in (await resp.json())["error"]


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00",
                                        "9999-12-31T23:59:59Z", "1999-12-31T23:59:59Z", "2999-01-01T00:00:00+09:00"])
async def test_a_date_outside_the_sane_window_is_a_400_kept_with_the_rejects(client, sink, bad_items,
                                                                             created_at) -> None:
    """Before: 503 "retry later" (a retrying sender looped) or a crash later in the incidents stage."""
    c, runner = client
    body = json.dumps({"posts": [post(1), post(2, created_at=created_at)]}).encode()
    resp = await send(c, body)
    assert resp.status == 400 and "post p2: created_at is" in (await resp.json())["error"]
    assert sink.records == []  # the request is refused whole: the sender fixes the post and resends
    ((source, _id, raw, error),) = bad_items.calls
    assert source == "partner" and raw == body and "created_at is" in error
    assert (await send(c, json.dumps(post(3)).encode())).status == 200  # the source goes on
    assert runner.health()["partner"]["items"] == 1


@pytest.mark.parametrize("stamp", ["²", "9" * 5000, "-1", "12.5", "１２３"])
async def test_a_malformed_timestamp_header_is_a_400(client, sink, stamp) -> None:
    c, _ = client
    body = json.dumps(post()).encode()
    headers = {**sign("s3cret", body, int(time.time())), "X-Bosai-Timestamp": stamp}
    resp = await c.post("/webhook/partner", data=body, headers=headers)
    assert resp.status == 400 and "Unix seconds" in (await resp.json())["error"]
    assert sink.records == []
