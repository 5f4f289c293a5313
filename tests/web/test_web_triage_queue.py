"""GET /api/triage (order, paging, filters, stale), one card, the audit trail and reopen over HTTP (issue 19)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from web_factories import NOW, add_camera, add_gauge, add_incident, add_post, login

from bosai.web.app import create_app
from kernel.store.models import PostJudgement


async def _client(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    return client, {"X-CSRF-Token": await login(client, ctx.store)}


async def test_queue_orders_by_severity_then_urgency_then_time_and_pages(aiohttp_client, ctx):
    def seed(s):
        outage = add_incident(s, hazard="power_water_outage", severity=4, last_seen=NOW)
        rescue = add_incident(s, hazard="casualty_rescue", severity=4, last_seen=NOW - timedelta(minutes=30))
        flood_new = add_incident(s, severity=3, last_seen=NOW - timedelta(minutes=1))
        flood_old = add_incident(s, severity=3, last_seen=NOW - timedelta(minutes=50))
        minor = add_incident(s, hazard="road_blocked", severity=2, last_seen=NOW)
        stale = add_incident(s, hazard="casualty_rescue", severity=5, last_seen=NOW - timedelta(hours=7))
        add_incident(s, status="confirmed", severity=5)
        return [rescue.id, outage.id, flood_new.id, flood_old.id, minor.id, stale.id]

    expected = await ctx.store.write(seed)
    client, _ = await _client(aiohttp_client, ctx)
    body = await (await client.get("/api/triage")).json()
    assert [f["properties"]["id"] for f in body["features"]] == expected
    assert body["total"] == 6 and body["hidden"] == 0 and body["next_offset"] is None
    assert [f["properties"]["stale"] for f in body["features"]] == [False] * 5 + [True]  # 6 h default: last

    first = await (await client.get("/api/triage?limit=2")).json()
    assert [f["properties"]["id"] for f in first["features"]] == expected[:2]
    assert first["hidden"] == 4 and first["next_offset"] == 2
    second = await (await client.get("/api/triage?limit=2&offset=4")).json()
    assert [f["properties"]["id"] for f in second["features"]] == expected[4:]
    assert second["hidden"] == 0 and second["next_offset"] is None
    for bad in ("limit=0", "limit=201", "offset=-1", "status=merged", "hazard=<x>", "since=yesterday"):
        assert (await client.get(f"/api/triage?{bad}")).status == 400, bad


async def test_queue_filters_by_hazard_municipality_time_and_text(aiohttp_client, ctx):
    def seed(s):
        tsu = add_incident(s, place_name="大門", last_seen=NOW)
        yokkaichi = add_incident(s, municipality="四日市市", municipality_code="24202", place_name="富田",
                                 last_seen=NOW - timedelta(hours=2))
        road = add_incident(s, hazard="road_blocked", title="国道23号 通行止め", last_seen=NOW - timedelta(hours=3))
        return tsu.id, yokkaichi.id, road.id

    tsu, yokkaichi, road = await ctx.store.write(seed)
    client, _ = await _client(aiohttp_client, ctx)

    async def ids(query: str) -> list[int]:
        resp = await client.get(f"/api/triage?{query}")
        assert resp.status == 200, await resp.text()
        return [f["properties"]["id"] for f in (await resp.json())["features"]]

    assert await ids("hazard=road_blocked") == [road]
    assert sorted(await ids("municipality=24202")) == [yokkaichi]
    assert sorted(await ids("municipality=24201")) == sorted([tsu, road])
    assert sorted(await ids("since=150m")) == sorted([tsu, yokkaichi])
    assert await ids("q=国道23号") == [road]
    assert await ids(f"q={yokkaichi}") == [yokkaichi]


async def test_card_shows_confidence_and_sensor_support(aiohttp_client, ctx, tmp_path):
    def seed(s):
        add_gauge(s, "2499000104", 3.2, 2, NOW)
        add_camera(s, "cam1", "cameras/cam1/a.jpg", "cameras/cam1/t.jpg")
        inc = add_incident(s, corroborated_by=["gauge:2499000104", "camera:cam1"])
        add_post(s, "大門で冠水", incident_id=inc.id, score=0.52)
        add_post(s, "大門 道路が川", incident_id=inc.id, score=0.81)
        return inc.id

    incident = await ctx.store.write(seed)
    ctx.config.sources.append({"kind": "river_gauge", "name": "g", "gauges": [
        {"id": "2499000104", "thresholds_m": {"standby": 2.0, "caution": 3.0, "evacuation_judgement": 3.5,
                                              "danger": 4.0}}]})
    client, _ = await _client(aiohttp_client, ctx)
    props = (await (await client.get(f"/api/triage/{incident}")).json())["properties"]
    assert props["confidence"] == 0.81 and len(props["posts"]) == 2
    gauge, camera = props["sensors"]
    assert gauge["name"] == "高岡" and gauge["level_m"] == 3.2 and gauge["warning_level"] == 2
    assert gauge["thresholds_m"]["caution"] == 3.0
    assert camera["name"] == "安濃川 カメラ" and camera["thumbnail_url"] == "/cameras/cam1/thumbnail.jpg"
    gauges = await (await client.get("/api/gauges")).json()
    assert gauges["features"][0]["properties"]["thresholds_m"]["danger"] == 4.0
    assert (await client.get("/api/triage/99999")).status == 404


async def test_reopen_and_audit_trail(aiohttp_client, ctx):
    def seed(s):
        inc = add_incident(s)
        return inc.id, add_post(s, "冗談です", incident_id=inc.id).id

    incident, post = await ctx.store.write(seed)
    client, headers = await _client(aiohttp_client, ctx)
    resp = await client.post(f"/api/triage/{incident}/dismiss", json={"reason": "冗談", "posts": [post]},
                             headers=headers)
    assert resp.status == 200
    assert (await client.get("/api/triage")).status == 200
    assert [f["properties"]["id"] for f in (await (await client.get("/api/triage?status=dismissed")).json())
            ["features"]] == [incident]
    assert (await client.post(f"/api/triage/{incident}/reopen", json={"reason": "見直し"})).status == 403  # CSRF
    resp = await client.post(f"/api/triage/{incident}/reopen", json={"reason": "見直し"}, headers=headers)
    body = await resp.json()
    assert resp.status == 200 and body["incident"]["properties"]["status"] == "unverified"
    assert (await client.post(f"/api/triage/{incident}/reopen", headers=headers)).status == 409  # not dismissed
    assert await ctx.store.read(lambda s: s.query(PostJudgement).count()) == 0  # the verdict was taken back

    trail = await (await client.get(f"/api/triage/{incident}/events")).json()
    assert [(e["actor"], e["action"], e["reason"]) for e in trail["events"]] == [
        ("ops", "dismissed", "冗談"), ("ops", "reopened", "見直し")]
    assert trail["status"] == "unverified" and trail["events"][0]["at"].startswith("20")
    assert (await client.get("/api/triage/99999/events")).status == 404


async def test_queue_and_trail_need_an_operator(aiohttp_client, ctx):
    incident = await ctx.store.write(lambda s: add_incident(s).id)
    client = await aiohttp_client(create_app(ctx))
    for path in ("/api/triage", f"/api/triage/{incident}", f"/api/triage/{incident}/events"):
        assert (await client.get(path)).status == 401, path


async def test_stale_after_is_configurable(aiohttp_client, ctx):
    incident = await ctx.store.write(lambda s: add_incident(s, last_seen=NOW - timedelta(minutes=30)).id)
    publish = ctx.config.publish.model_copy(update={"stale_after_min": 20})
    ctx = dataclasses.replace(ctx, config=ctx.config.model_copy(update={"publish": publish}))
    client, _ = await _client(aiohttp_client, ctx)
    body = await (await client.get("/api/triage")).json()
    assert body["features"][0]["properties"]["stale"] is True and body["stale_after_min"] == 20
    assert (await (await client.get(f"/api/triage/{incident}")).json())["properties"]["stale"] is True
