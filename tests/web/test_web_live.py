"""GET /live over a real socket: what the public may receive (issue 18 §4), and Last-Event-ID replay after a
dropped connection (issue 18 §3)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from web_factories import add_incident, add_post, login

from bosai.web.app import create_app

HANDLE = "@yamada_taro"


async def _frame(resp: Any) -> dict[str, str]:
    """The next event frame (comments and keep-alives skipped) as its fields."""
    while True:
        raw = (await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5)).decode()
        fields = dict(line.split(": ", 1) for line in raw.strip().split("\n") if not line.startswith(":")
                      and ": " in line)
        if "event" in fields:
            return fields


async def _open(client: Any, ctx: Any, last_id: str | None = None) -> Any:
    """A /live stream, returned once its hub subscription is in place."""
    before = ctx.hub.subscribers
    headers = {"Last-Event-ID": last_id} if last_id is not None else {}
    resp = await client.get("/live", headers=headers)
    assert resp.status == 200
    assert (await resp.content.readuntil(b"\n\n")).startswith(b"retry:")
    for _ in range(200):
        if ctx.hub.subscribers > before:
            return resp
        await asyncio.sleep(0.01)
    raise AssertionError("the stream never subscribed")


async def _drop(resp: Any, ctx: Any) -> None:
    """Close the connection as a lost network would, and wait until the server has noticed."""
    before = ctx.hub.subscribers
    resp.close()
    for _ in range(200):
        if ctx.hub.subscribers < before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server never noticed the dropped stream")


async def _until(resp: Any, name: str) -> list[dict[str, str]]:
    """Frames up to and including the first ``name`` event."""
    got = []
    while True:
        got.append(await _frame(resp))
        if got[-1]["event"] == name:
            return got


async def _private_and_public_events(ctx: Any) -> dict[str, dict[str, Any]]:
    """Features as the pipeline and triage publish them: a flagged post, an unverified incident, a confirmed
    one (title from post text naming its author) and one merged away."""
    from kernel.store.snapshots import incident_record, post_record
    from publish.geojson import incidents_geojson, posts_geojson

    def build(s: Any) -> dict[str, dict[str, Any]]:
        post = add_post(s, f"{HANDLE} 家の前まで水がきてる", author="yamada_taro")
        unverified = add_incident(s, title=f"{HANDLE} 裏山が崩れた", hazard="landslide")
        confirmed = add_incident(s, title=f"{HANDLE} 家の前まで水がきてる", status="confirmed")
        merged = add_incident(s, title=f"{HANDLE} merged", status="merged", merged_into=confirmed.id)
        feature = incidents_geojson([incident_record(confirmed)])["features"][0]
        feature["properties"]["posts"] = [{"author": "yamada_taro", "text": post.text}]  # a nested sample
        return {"post": posts_geojson([post_record(post)])["features"][0],
                "unverified": incidents_geojson([incident_record(unverified)])["features"][0], "confirmed": feature,
                "merged": incidents_geojson([incident_record(merged)])["features"][0]}

    return await ctx.store.write(build)


def _publish_all(ctx: Any, events: dict[str, dict[str, Any]]) -> None:
    ctx.hub.publish("post", events["post"])
    ctx.hub.publish("incident", events["unverified"])
    ctx.hub.publish("incident", events["confirmed"])
    ctx.hub.publish("incident", events["merged"])
    ctx.hub.publish("gauge", {"type": "Feature", "properties": {"gauge_id": "g1", "level_m": 3.2}})


async def test_anonymous_stream_gets_only_confirmed_incidents_and_official_events(aiohttp_client, ctx):
    events = await _private_and_public_events(ctx)
    client = await aiohttp_client(create_app(ctx))
    resp = await _open(client, ctx)
    _publish_all(ctx, events)
    got = await _until(resp, "gauge")
    assert [f["event"] for f in got] == ["incident", "incident", "gauge"]
    confirmed, withdrawn = (json.loads(f["data"]) for f in got[:2])
    assert confirmed["properties"]["id"] == events["confirmed"]["properties"]["id"]
    assert confirmed["properties"]["status"] == "confirmed" and "posts" not in confirmed["properties"]
    assert withdrawn["properties"] == {"kind": "incident", "id": events["merged"]["properties"]["id"],
                                       "status": "withdrawn"}
    raw = "".join(f["data"] for f in got)
    assert "yamada_taro" not in raw and "家の前" not in raw and "裏山" not in raw
    resp.close()


async def test_operator_stream_gets_everything_until_logout(aiohttp_client, ctx):
    events = await _private_and_public_events(ctx)
    client = await aiohttp_client(create_app(ctx))
    csrf = await login(client, ctx.store)
    resp = await _open(client, ctx)
    _publish_all(ctx, events)
    got = await _until(resp, "gauge")
    assert [f["event"] for f in got] == ["post", "incident", "incident", "incident", "gauge"]
    assert json.loads(got[0]["data"])["properties"]["author"] == "yamada_taro"
    assert json.loads(got[2]["data"])["properties"]["title"] == f"{HANDLE} 家の前まで水がきてる"

    assert (await client.post("/logout", headers={"X-CSRF-Token": csrf})).status == 200
    _publish_all(ctx, events)  # the session is revoked: the open stream now carries the public view only
    assert [f["event"] for f in await _until(resp, "gauge")] == ["incident", "incident", "gauge"]
    resp.close()


async def test_reconnect_with_last_event_id_gets_missed_events_once_in_order(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    first = await _open(client, ctx)
    ctx.hub.publish("alert", {"id": "a1"})
    ctx.hub.publish("alert", {"id": "a2"})
    seen = [await _frame(first), await _frame(first)]
    assert [json.loads(f["data"])["id"] for f in seen] == ["a1", "a2"]
    last_id = seen[-1]["id"]

    await _drop(first, ctx)  # the connection drops ...
    assert ctx.hub.subscribers == 0
    for n in (3, 4, 5):  # ... while these are published
        ctx.hub.publish("alert", {"id": f"a{n}"})
    ctx.hub.publish("post", {"type": "Feature", "properties": {"author": "yamada_taro"}})  # not for the public
    ctx.hub.publish("incident", {"type": "Feature", "properties": {"id": 9, "status": "unverified"}})  # nor this
    ctx.hub.publish("warning", {"id": 6, "title": "三重県気象警報・注意報"})

    again = await _open(client, ctx, last_id)
    ctx.hub.publish("alert", {"id": "a7"})  # live again after the replay
    got = await _until(again, "alert") + await _until(again, "alert") + await _until(again, "alert")
    got += await _until(again, "alert")
    names = [(f["event"], json.loads(f["data"]).get("id")) for f in got]
    assert names == [("alert", "a3"), ("alert", "a4"), ("alert", "a5"), ("warning", 6), ("alert", "a7")]
    ids = [f["id"] for f in got]
    assert len(set(ids)) == len(ids) and last_id not in ids
    again.close()


async def test_reconnect_with_an_id_no_longer_buffered_is_told_to_reload(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    for last_id in ("0123abcd-41", "<script>", "x" * 500):  # another server, hostile, too long
        resp = await _open(client, ctx, last_id)
        frame = await _frame(resp)
        assert frame["event"] == "reload" and frame["id"] == ctx.hub.last_id
        await _drop(resp, ctx)
