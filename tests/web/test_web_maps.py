"""The offline map's data served by the service itself: /api/boundaries (contract) and /api/warnings/areas."""

from __future__ import annotations

import gzip

from web_factories import add_alert, add_warning_report, warning_item

from bosai.web.app import create_app
from publish.colors import LEVEL_COLORS
from publish.polygons import contains, polygons_of, ring_problems, signed_area

MIE_CODES = {  # the 29 市町 of Mie (JIS X 0402)
    "24201", "24202", "24203", "24204", "24205", "24207", "24208", "24209", "24210", "24211", "24212", "24214",
    "24215", "24216", "24303", "24324", "24341", "24343", "24344", "24441", "24442", "24443", "24461", "24470",
    "24471", "24472", "24543", "24561", "24562",
}


async def test_boundaries_contract(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    resp = await client.get("/api/boundaries")
    assert resp.status == 200 and resp.content_type == "application/geo+json"
    assert resp.headers["Content-Encoding"] == "gzip"  # the client asked for it (aiohttp does by default)
    assert "max-age" in resp.headers["Cache-Control"] and "no-store" not in resp.headers["Cache-Control"]
    fc = await resp.json(content_type=None)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 29
    assert {f["properties"]["code"] for f in fc["features"]} == MIE_CODES
    assert "国土数値情報（行政区域データ）" in fc["attribution"]
    for f in fc["features"]:
        props, geometry = f["properties"], f["geometry"]
        assert len(props["code"]) == 5 and props["code"].isdigit() and props["name"].endswith(("市", "町"))
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        for poly in polygons_of(geometry):
            outer, *holes = poly
            assert ring_problems(outer) == [], props
            assert signed_area(outer) > 0  # RFC 7946: exterior rings counter-clockwise
            for hole in holes:
                assert ring_problems(hole) == [] and signed_area(hole) < 0 and contains(outer, hole[0])
            assert all(135.8 < x < 137.0 and 33.7 < y < 35.3 for x, y in outer), props  # within Mie
    tsu = next(f for f in fc["features"] if f["properties"]["code"] == "24201")
    assert tsu["properties"]["name"] == "津市"
    assert any(contains(p[0], (136.5086, 34.7186)) for p in polygons_of(tsu["geometry"]))  # 津市役所

    raw = await client.get("/api/boundaries", headers={"Accept-Encoding": "identity"})
    body = await raw.read()
    assert "Content-Encoding" not in raw.headers and len(body) <= 3_000_000
    assert len(gzip.compress(body)) < len(body) // 2
    again = await client.get("/api/boundaries", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status == 304


async def test_warning_areas_endpoint(aiohttp_client, ctx):
    def seed(s):
        add_warning_report(s, [warning_item("2420100", "津市", "大雨警報", 3),
                               warning_item("2420200", "四日市市", "大雨注意報", 2),
                               warning_item("2420300", "伊勢市", "大雨警報", 3, in_force=False)])
        add_alert(s, "jma-2-landslide", event="土砂災害警戒情報", level=4,
                  areas=[{"code": "240011", "name": "三重県中部"}])

    await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    resp = await client.get("/api/warnings/areas")
    assert resp.status == 200 and resp.content_type == "application/geo+json"
    fc = await resp.json(content_type=None)
    got = [(f["properties"]["code"], f["properties"]["level"], f["properties"]["color"]) for f in fc["features"]]
    assert got == [("24202", 2, LEVEL_COLORS[2]), ("24201", 3, LEVEL_COLORS[3]), ("240011", 4, LEVEL_COLORS[4])]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in fc["features"])


async def test_clustering_is_vendored_and_warning_text_stays_data(aiohttp_client, ctx):
    hostile = '<img src=x onerror="window.__pwned=1">'
    await ctx.store.write(lambda s: add_warning_report(s, [warning_item("2420100", "津市", hostile, 3)]))
    client = await aiohttp_client(create_app(ctx))
    html = await (await client.get("/")).text()
    base = "/static/vendor/leaflet.markercluster/"
    for asset in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"):
        assert base + asset in html, asset
        assert (await client.get(base + asset)).status == 200, asset
    assert "MIT" in await (await client.get(base + "LICENSE")).text()
    fc = await (await client.get("/api/warnings/areas")).json(content_type=None)
    assert fc["features"][0]["properties"]["kinds"][0]["name"] == hostile  # a JSON string; the page sets textContent
