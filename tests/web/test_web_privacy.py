"""Issue 18 §4: flagged posts, their authors and unverified incidents are for operators only; the public sees
official alerts and incidents an operator confirmed, with no author handle anywhere."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from web_factories import NOW, add_alert, add_incident, add_post, login

from bosai.web.app import create_app

AUTHORS = ("yamada_taro", "suzuki_h", "kuroneko88")
# Every text a post or its author put into an incident: none may appear in a public answer.
SECRETS = ("@yamada_taro", "yamada_taro", "suzuki_h", "kuroneko88", "家の前まで水", "裏山が崩れ", "誰か助けて")


async def _seeded(aiohttp_client, ctx) -> tuple[Any, dict[str, int]]:
    """The app over incidents of each status whose titles are post text naming authors, as incidents get
    them; the confirmed one confirmed through triage, so that its resident alert exists as in service."""
    from publish import triage

    def seed(s: Any) -> dict[str, int]:
        ids = {
            "confirmed": add_incident(s, title="@yamada_taro 家の前まで水がきてる #津市").id,
            "unverified": add_incident(s, title="@suzuki_h 裏山が崩れた", hazard="landslide").id,
            "dismissed": add_incident(s, title="誰か助けて（冗談）", status="dismissed").id,
            "resolved": add_incident(s, title="kuroneko88: 家の前まで水", status="resolved",
                                     last_seen=NOW - timedelta(hours=1)).id,
        }
        add_incident(s, title="@yamada_taro merged away", status="merged", merged_into=ids["confirmed"])
        for author, incident in zip(AUTHORS, ("confirmed", "unverified", "confirmed"), strict=True):
            add_post(s, f"@{author} 家の前まで水がきてる", author=author, incident_id=ids[incident])
        triage.confirm(s, ids["confirmed"], "ops", "見た")
        return ids

    ids = await ctx.store.write(seed)
    return await aiohttp_client(create_app(ctx)), ids


def _assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where}: {secret!r} leaked"


async def test_anonymous_posts_answer_401_and_operators_keep_them(aiohttp_client, ctx):
    client, _ids = await _seeded(aiohttp_client, ctx)
    for path in ("/api/posts", "/api/posts?hazard=flood", "/api/posts?municipality=24201&since=6h"):
        resp = await client.get(path)
        assert resp.status == 401, path
        assert (await resp.json()) == {"error": "operator login required"}
        _assert_no_secret(await resp.text(), path)
    await login(client, ctx.store)
    resp = await client.get("/api/posts")
    assert resp.status == 200 and "no-store" in resp.headers["Cache-Control"]
    authors = {f["properties"]["author"] for f in (await resp.json())["features"]}
    assert authors == set(AUTHORS)


async def test_anonymous_incidents_are_the_confirmed_ones_without_post_text(aiohttp_client, ctx):
    client, ids = await _seeded(aiohttp_client, ctx)
    resp = await client.get("/api/incidents")
    assert resp.status == 200 and "Cookie" in resp.headers["Vary"].split(", ")  # and Accept-Encoding (gzip)
    body = await resp.text()
    _assert_no_secret(body, "/api/incidents")
    features = json.loads(body)["features"]
    assert [f["properties"]["id"] for f in features] == [ids["confirmed"]]
    props = features[0]["properties"]
    assert props["status"] == "confirmed" and props["title"] == "浸水・冠水・河川氾濫（大門）"
    assert "posts" not in props and "author" not in body

    for query, expected in (("status=unverified", []), ("status=dismissed,merged", []),
                            ("status=resolved", [ids["resolved"]]),
                            ("status=confirmed,unverified", [ids["confirmed"]]),
                            ("hazard=landslide", []), ("since=30m", [ids["confirmed"]])):
        resp = await client.get(f"/api/incidents?{query}")
        body = await resp.text()
        _assert_no_secret(body, query)
        assert sorted(f["properties"]["id"] for f in json.loads(body)["features"]) == expected, query


async def test_operators_keep_the_full_incident_view(aiohttp_client, ctx):
    client, ids = await _seeded(aiohttp_client, ctx)
    await login(client, ctx.store)
    resp = await client.get("/api/incidents")
    assert "no-store" in resp.headers["Cache-Control"]
    by_id = {f["properties"]["id"]: f["properties"] for f in (await resp.json())["features"]}
    assert set(by_id) == {ids["confirmed"], ids["unverified"], ids["dismissed"], ids["resolved"]}
    assert by_id[ids["unverified"]]["title"] == "@suzuki_h 裏山が崩れた"
    unverified = await (await client.get("/api/incidents?status=unverified")).json()
    assert [f["properties"]["id"] for f in unverified["features"]] == [ids["unverified"]]


async def test_public_pages_feeds_and_alerts_carry_no_post_text_or_author(aiohttp_client, ctx):
    client, ids = await _seeded(aiohttp_client, ctx)
    await ctx.store.write(lambda s: add_alert(s))
    alerts = await (await client.get("/api/alerts")).json()
    assert {a["id"] for a in alerts} == {"jma-1-heavy_rain-issued", f"incident-{ids['confirmed']}"}
    for path in ("/", "/public", "/public/en", "/public/ja/archive", "/api/alerts", "/api/alerts?active=1",
                 "/feeds/ja.atom", "/feeds/en.atom", f"/cap/incident-{ids['confirmed']}.xml"):
        resp = await client.get(path)
        assert resp.status == 200, path
        _assert_no_secret(await resp.text(), path)
