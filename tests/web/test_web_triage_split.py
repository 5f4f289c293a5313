"""POST /api/triage/{id}/split: an operator moves posts of a wrongly joined incident into a new one."""

from __future__ import annotations

import asyncio

from web_factories import add_incident, add_post

from bosai.web.app import create_app
from bosai.web.auth import create_operator
from kernel.store.models import IncidentEvent, IncidentRow, PostRow


async def _login(client) -> str:
    token = (await (await client.get("/api/session")).json())["csrf"]
    resp = await client.post("/login", json={"username": "ops", "password": "s3cret-pass"},
                             headers={"X-CSRF-Token": token})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["csrf"]


async def test_split_over_http(aiohttp_client, ctx):
    await create_operator(ctx.store, "ops", "s3cret-pass")

    def seed(s):
        inc, other = add_incident(s, post_count=3), add_incident(s, title="別件")
        posts = [add_post(s, t, incident_id=inc.id).id for t in ("大門で冠水", "南玉垣町で孤立", "大門の道路が川に")]
        return inc.id, other.id, posts, add_post(s, "別件の投稿", incident_id=other.id).id

    incident, other, posts, stranger = await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    headers = {"X-CSRF-Token": await _login(client)}
    for bad in ({}, {"posts": []}, {"posts": "2"}, {"posts": [True]}, {"posts": [0]}, {"posts": [1] * 501}):
        resp = await client.post(f"/api/triage/{incident}/split", json=bad, headers=headers)
        assert resp.status == 400, bad
    assert (await client.post(f"/api/triage/{incident}/split", json={"posts": [stranger]},
                              headers=headers)).status == 400
    assert (await client.post(f"/api/triage/{incident}/split", json={"posts": posts},
                              headers=headers)).status == 409  # nothing would stay behind
    assert (await client.post("/api/triage/999/split", json={"posts": [posts[1]]}, headers=headers)).status == 404
    assert (await client.post(f"/api/triage/{incident}/split", json={"posts": [posts[1]]})).status == 403  # CSRF

    events = ctx.hub.subscribe()
    first = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    resp = await client.post(f"/api/triage/{incident}/split", json={"posts": [posts[1]], "reason": "別の町"},
                             headers=headers)
    body = await resp.json()
    assert resp.status == 200, body
    new_id = body["split"]["properties"]["id"]
    assert body["incident"]["properties"]["id"] == incident and new_id not in (incident, other)
    assert body["split"]["properties"]["status"] == "unverified"
    assert (await asyncio.wait_for(first, 2)).name == "incident"
    assert (await asyncio.wait_for(anext(events), 2)).name == "incident"
    await events.aclose()

    def check(s):
        owner = {p: s.get(PostRow, p).incident_id for p in posts}
        audit = [(e.incident_id, e.action, e.actor) for e in s.query(IncidentEvent).order_by(IncidentEvent.id)]
        return owner, audit, s.get(IncidentRow, new_id).post_count

    owner, audit, count = await ctx.store.read(check)
    assert owner == {posts[0]: incident, posts[1]: new_id, posts[2]: incident} and count == 1
    assert (incident, "split", "ops") in audit and (new_id, "split", "ops") in audit
