"""The data endpoints over a tmp SQLite store, in process (aiohttp_client)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from web_factories import (
    NOW,
    add_alert,
    add_camera,
    add_gauge,
    add_incident,
    add_post,
    add_warning_report,
    login,
    make_ctx,
    warning_item,
)

from bosai.web.app import create_app

LANGS = ["ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi"]


async def test_alerts_cap_and_feeds(aiohttp_client, ctx):
    await ctx.store.write(lambda s: add_alert(s))
    client = await aiohttp_client(create_app(ctx))
    alerts = await (await client.get("/api/alerts")).json()
    assert len(alerts) == 1
    assert {"id", "source", "hazard", "areas", "sent", "languages"} <= set(alerts[0])
    assert set(alerts[0]["languages"]) == set(LANGS)

    cap = await client.get(f"/cap/{alerts[0]['id']}.xml")
    assert cap.status == 200 and cap.content_type == "application/cap+xml"
    assert b"urn:oasis:names:tc:emergency:cap:1.2" in await cap.read()
    assert (await client.get("/cap/no-such-alert.xml")).status == 404

    for lang in LANGS:
        feed = await client.get(f"/feeds/{lang}.atom")
        assert feed.status == 200 and feed.content_type == "application/atom+xml", lang
        assert b"<entry" in await feed.read(), lang
    assert (await client.get("/feeds/fr.atom")).status == 404
    inside = await (await client.get("/feeds/en.atom?area=24201")).read()
    outside = await (await client.get("/feeds/en.atom?area=24543")).read()
    assert b"<entry" in inside and b"<entry" not in outside


async def test_incidents_filters(aiohttp_client, ctx):
    def seed(s):
        add_incident(s)
        add_incident(s, hazard="landslide", title="崖崩れ", municipality="尾鷲市", municipality_code="24209",
                     last_seen=NOW - timedelta(hours=10))
        merged = add_incident(s, title="merged away")
        merged.merged_into = 1

    await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    await login(client, ctx.store)  # operators see unverified incidents too (the public view: test_web_privacy)
    fc = await (await client.get("/api/incidents")).json()
    assert fc["type"] == "FeatureCollection"
    assert sorted(f["properties"]["title"] for f in fc["features"]) == ["崖崩れ", "津市 大門 冠水"]
    by_hazard = await (await client.get("/api/incidents?hazard=landslide")).json()
    assert [f["properties"]["hazard"] for f in by_hazard["features"]] == ["landslide"]
    by_town = await (await client.get("/api/incidents?municipality=24209")).json()
    assert [f["properties"]["municipality"] for f in by_town["features"]] == ["尾鷲市"]
    recent = await (await client.get("/api/incidents?since=6h")).json()
    assert [f["properties"]["hazard"] for f in recent["features"]] == ["flood"]
    assert (await client.get("/api/incidents?since=yesterday")).status == 400
    assert (await client.get("/api/incidents?limit=0")).status == 400


async def test_posts_are_flagged_only_and_filtered(aiohttp_client, ctx):
    def seed(s):
        add_post(s, "川があふれそう")
        add_post(s, "停電してる", categories=[["power_water_outage", 0.8]])
        add_post(s, "いい天気", label="other")
        add_post(s, "場所不明の冠水", lat=None, lng=None)

    await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    await login(client, ctx.store)  # flagged posts are for operators only
    texts = [f["properties"]["text"] for f in (await (await client.get("/api/posts")).json())["features"]]
    assert sorted(texts) == sorted(["川があふれそう", "停電してる"])
    outage = await (await client.get("/api/posts?hazard=power_water_outage")).json()
    assert [f["properties"]["text"] for f in outage["features"]] == ["停電してる"]
    assert (await (await client.get("/api/posts?municipality=24543")).json())["features"] == []


async def test_gauges_latest_per_gauge(aiohttp_client, ctx):
    def seed(s):
        add_gauge(s, "g1", 2.0, 0, NOW - timedelta(minutes=20))
        add_gauge(s, "g1", 3.4, 2, NOW)
        add_gauge(s, "g2", 1.0, 0, NOW)

    await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    fc = await (await client.get("/api/gauges")).json()
    levels = {f["properties"]["gauge_id"]: f["properties"]["level_m"] for f in fc["features"]}
    assert levels == {"g1": 3.4, "g2": 1.0}


async def test_camera_images_served_from_data_dir_only(aiohttp_client, ctx, tmp_path):
    data_dir = tmp_path / "var"
    (data_dir / "cameras" / "c1").mkdir(parents=True)
    image = data_dir / "cameras" / "c1" / "a.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0 fake jpeg")
    thumb = data_dir / "cameras" / "c1" / "a_thumb.jpg"
    thumb.write_bytes(b"\xff\xd8\xff\xe0 thumb")
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not yours")

    def seed(s):
        add_camera(s, "c1", str(image), str(thumb))
        add_camera(s, "evil", str(data_dir / ".." / "secret.jpg"))
        add_camera(s, "gone", str(data_dir / "cameras" / "missing.jpg"))

    await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    fc = await (await client.get("/api/cameras")).json()
    props = {f["properties"]["camera_id"]: f["properties"] for f in fc["features"]}
    assert props["c1"]["image_url"] == "/cameras/c1/latest.jpg"
    latest = await client.get("/cameras/c1/latest.jpg")
    assert latest.status == 200 and await latest.read() == image.read_bytes()
    assert await (await client.get("/cameras/c1/thumbnail.jpg")).read() == thumb.read_bytes()
    assert (await client.get("/cameras/evil/latest.jpg")).status == 404
    assert (await client.get("/cameras/gone/latest.jpg")).status == 404
    assert (await client.get("/cameras/nobody/latest.jpg")).status == 404
    assert (await client.get("/cameras/..%2F..%2Fetc/latest.jpg")).status == 404


async def test_warnings_current_state_per_municipality(aiohttp_client, ctx):
    def seed(s):
        add_warning_report(s, [warning_item("2420100", "津市", "大雨注意報", 2)], at=NOW - timedelta(hours=2))
        add_warning_report(s, [
            warning_item("2420100", "津市", "大雨警報", 3),
            warning_item("2420100", "津市", "洪水注意報", 2),
            warning_item("2420200", "四日市市", "大雨注意報", None, in_force=False),
            {**warning_item("240010", "北中部", "大雨警報", 3), "scope": "気象警報・注意報（一次細分区域等）"},
        ])

    await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    areas = await (await client.get("/api/warnings")).json()
    assert [a["area_code"] for a in areas] == ["2420100"]
    tsu = areas[0]
    assert [k["name"] for k in tsu["kinds"]] == ["大雨警報", "洪水注意報"]
    assert tsu["level"] == 3 and tsu["color"] == "#FF2800"
    assert tsu["lat"] == pytest.approx(34.7186, abs=0.01)


async def test_shelters(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    fc = await (await client.get("/api/shelters?municipality=24201&hazard=tsunami&limit=50")).json()
    assert 0 < len(fc["features"]) <= 50
    assert all(f["properties"]["municipality_code"] == "24201" for f in fc["features"])
    near = await (await client.get("/api/shelters?near=34.7234,136.5127&limit=1")).json()
    assert near["features"][0]["properties"]["name"] == "愛宕会館"
    assert (await client.get("/api/shelters?near=0,0")).status == 400


async def test_public_endpoints_rate_limited(aiohttp_client, web_store, tmp_path):
    client = await aiohttp_client(create_app(make_ctx(web_store, tmp_path, rate=3)))
    statuses = [(await client.get("/api/alerts")).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await client.get("/api/incidents")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    assert (await client.get("/healthz")).status == 200  # operations endpoints are not limited


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00",
                                   "1999-12-31T23:59:59Z", "99999d"])
async def test_since_at_the_ends_of_the_calendar_is_a_400(aiohttp_client, ctx, since):
    """Converting these to UTC for the database overflowed: a 500 before; bad input, so a 400."""
    client = await aiohttp_client(create_app(ctx))
    await login(client, ctx.store)
    for path in ("/api/posts", "/api/incidents"):
        resp = await client.get(path, params={"since": since})
        assert resp.status == 400, (path, resp.status)
        assert (await resp.json())["error"].startswith("since: is ")
    ok = await client.get("/api/posts", params={"since": "2000-01-01T09:00:00+09:00"})  # 2000-01-01 UTC
    assert ok.status == 200
