"""/livez, /readyz, /healthz, /metrics, webhooks and the SSE stream."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web
from web_factories import login, make_ctx

from bosai.web import live
from bosai.web.app import create_app


async def test_healthz_reports_sources_db_and_queues(aiohttp_client, web_store, tmp_path):
    sources = {"jma": {"kind": "jma_feed", "state": "ok"}, "x": {"kind": "x_stream", "state": "failing"}}
    ctx = make_ctx(web_store, tmp_path, health=lambda: sources, queue_depths=lambda: {"classify": 7})
    client = await aiohttp_client(create_app(ctx))
    resp = await client.get("/healthz")
    body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "degraded" and body["failing_sources"] == ["x"]
    assert body["db"]["ok"] is True and body["queues"] == {"classify": 7} and body["sources"]["jma"]["state"] == "ok"


async def test_every_source_failing_is_information_not_a_restart(aiohttp_client, web_store, tmp_path):
    """A JMA outage: all sources fail, but the service is alive and ready (a restart would fix nothing)."""
    sources = {"jma": {"kind": "jma_feed", "state": "open_circuit"}, "x": {"kind": "x_stream", "state": "failing"}}
    ctx = make_ctx(web_store, tmp_path, health=lambda: sources, readiness=lambda: {"workers": True})
    client = await aiohttp_client(create_app(ctx))
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["status"] == "down"
    assert health.headers["Cache-Control"] == "no-store"
    live = await client.get("/livez")
    assert live.status == 200 and await live.json() == {"status": "ok", "db": {"ok": True}}
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {"status": "ready", "checks": {"db": {"ok": True}, "migrations": {"ok": True},
                                                               "workers": {"ok": True}}}


async def test_db_unreachable_fails_liveness_and_readiness(aiohttp_client, web_store, tmp_path):
    ctx = make_ctx(web_store, tmp_path)
    client = await aiohttp_client(create_app(ctx))

    async def failing_read(fn):
        raise OSError("disk gone")

    web_store.read = failing_read  # type: ignore[method-assign]
    for path in ("/livez", "/readyz"):
        resp = await client.get(path)
        assert resp.status == 503, path
    assert (await (await client.get("/livez")).json())["db"] == {"ok": False, "error": "OSError"}
    health = await client.get("/healthz")  # still answers, and says what is wrong
    assert health.status == 200 and (await health.json())["db"] == {"ok": False, "error": "OSError"}


async def test_a_stopped_store_writer_fails_liveness(aiohttp_client, tmp_path):
    from kernel.store import Store

    store = Store(f"sqlite:///{tmp_path}/w.db")
    store.upgrade()  # migrated, but the writer never started: every write would wait forever
    client = await aiohttp_client(create_app(make_ctx(store, tmp_path)))
    resp = await client.get("/livez")
    assert resp.status == 503 and (await resp.json())["db"] == {"ok": False, "error": "store writer stopped"}
    store.close()


async def test_readyz_waits_for_migrations_and_workers(aiohttp_client, tmp_path):
    from kernel.store import Store
    from kernel.store.migrate import head_revisions, upgrade

    store = Store(f"sqlite:///{tmp_path}/r.db")
    store.start()
    running = {"workers": False}
    client = await aiohttp_client(create_app(make_ctx(store, tmp_path, readiness=lambda: dict(running))))
    try:
        resp = await client.get("/readyz")
        body = await resp.json()
        assert resp.status == 503 and body["status"] == "not_ready"
        assert body["checks"]["migrations"] == {"ok": False, "pending": sorted(head_revisions())}
        assert body["checks"]["workers"] == {"ok": False}

        upgrade(store.engine)
        resp = await client.get("/readyz")
        assert resp.status == 503 and (await resp.json())["checks"]["migrations"] == {"ok": True}
        running["workers"] = True
        assert (await client.get("/readyz")).status == 200
    finally:
        store.close()


async def test_metrics_prometheus_text(aiohttp_client, web_store, tmp_path):
    ctx = make_ctx(web_store, tmp_path, queue_depths=lambda: {"geocode": 3})
    ctx.metrics.items_ingested.labels(source="jma").inc(5)
    client = await aiohttp_client(create_app(ctx))
    resp = await client.get("/metrics")
    text = await resp.text()
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'bosai_items_ingested_total{source="jma"} 5.0' in text
    assert 'bosai_queue_depth{stage="geocode"} 3.0' in text


async def test_webhook_dispatch(aiohttp_client, web_store, tmp_path):
    seen = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.json_response({"accepted": 1}, status=202)

    ctx = make_ctx(web_store, tmp_path, webhook_handlers={"hook": handler})
    client = await aiohttp_client(create_app(ctx))
    resp = await client.post("/webhook/hook", json={"text": "冠水"})  # no CSRF token: signed by the sender
    assert resp.status == 202 and seen == [{"text": "冠水"}]
    assert (await client.post("/webhook/unknown", json={})).status == 404


async def test_live_streams_hub_events(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    await login(client, ctx.store)  # an operator gets every event as published
    resp = await client.get("/live")
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    assert (await resp.content.readuntil(b"\n\n")).startswith(b"retry:")
    for _ in range(50):
        if ctx.hub.subscribers:
            break
        await asyncio.sleep(0.01)
    ctx.hub.publish("internal", {"skip": True})
    ctx.hub.publish("incident", {"type": "Feature", "properties": {"id": 7, "title": "冠水\n<b>"}})
    frame = (await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 2)).decode()
    lines = dict(line.split(": ", 1) for line in frame.strip().split("\n"))
    assert lines["event"] == "incident" and lines["id"] == f"{ctx.hub.epoch}-2"
    assert json.loads(lines["data"])["properties"] == {"id": 7, "title": "冠水\n<b>"}
    resp.close()


async def test_webhooks_and_new_live_streams_are_rate_limited(aiohttp_client, web_store, tmp_path):
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"accepted": 1}, status=202)

    ctx = make_ctx(web_store, tmp_path, rate=2, webhook_rate=3, webhook_handlers={"hook": handler})
    client = await aiohttp_client(create_app(ctx))
    statuses = [(await client.post("/webhook/hook", json={})).status for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    limited = await client.post("/webhook/hook", json={})
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    streams = [await client.get("/live") for _ in range(3)]  # the webhook bucket is not the readers' one
    assert [s.status for s in streams] == [200, 200, 429]
    assert int(streams[-1].headers["Retry-After"]) >= 1
    for s in streams:
        s.close()


async def test_live_streams_capped_per_client_address(aiohttp_client, ctx, monkeypatch):
    monkeypatch.setattr(live, "KEEPALIVE_S", 0.05)  # a closed stream is noticed at its next keep-alive
    client = await aiohttp_client(create_app(ctx))
    cap = ctx.config.web.live_streams_per_client
    streams = [await client.get("/live") for _ in range(cap)]
    assert [s.status for s in streams] == [200] * cap
    refused = await client.get("/live")
    assert refused.status == 429 and "live streams" in (await refused.json())["error"]
    assert int(refused.headers["Retry-After"]) >= 1

    other = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0)))
    async with other, other.get(client.make_url("/live")) as resp:  # another address has its own share
        assert resp.status == 200
        assert (await resp.content.readuntil(b"\n\n")).startswith(b"retry:")

    streams.pop().close()
    for _ in range(100):  # the freed slot is given to the next stream from the same address
        again = await client.get("/live")
        if again.status == 200:
            break
        again.release()
        await asyncio.sleep(0.02)
    else:
        pytest.fail("a closed live stream never gave its slot back")
    for s in [*streams, again]:
        s.close()
