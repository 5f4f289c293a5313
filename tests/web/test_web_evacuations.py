"""Evacuation information and shelter status over HTTP: operator entry (login, CSRF, municipality roles),
the audit log, and the public contracts of GET /api/evacuations and GET /api/shelters?open=1."""

from __future__ import annotations

import html
import json
import re
import threading
from typing import Any

import pytest

from bosai.web.app import create_app
from bosai.web.auth import create_operator
from kernel.store import evacuations as store
from kernel.store.models import AlertRow, EvacuationRow

ANO = ["E2420100018201", "E2420100014201", "E2420100009201", "E2420100008202"]  # 津市 安濃 shelters
YOKKAICHI_SHELTER = "E2420200001201"
LEVEL_NAMES = {3: "高齢者等避難", 4: "避難指示", 5: "緊急安全確保"}


async def _client(aiohttp_client, ctx, *, user: str = "ops", municipality: str | None = None) -> tuple[Any, str]:
    """A client logged in as ``user`` (restricted to ``municipality`` when given) and its CSRF token."""
    await create_operator(ctx.store, user, "s3cret-pass", municipality_code=municipality)
    client = await aiohttp_client(create_app(ctx))
    token = (await (await client.get("/api/session")).json())["csrf"]
    resp = await client.post("/login", json={"username": user, "password": "s3cret-pass"},
                             headers={"X-CSRF-Token": token})
    assert resp.status == 200
    return client, (await resp.json())["csrf"]


async def _post(client, csrf: str | None, path: str, body: dict[str, Any]):
    return await client.post(path, json=body, headers={"X-CSRF-Token": csrf} if csrf else {})


ORDER = {"municipality_code": "24201", "level": 4, "towns": ["安濃町今徳"], "hazard": "flood",
         "issued": "2026-09-12T18:30:00+09:00"}


async def test_entry_needs_login_and_csrf(aiohttp_client, ctx) -> None:
    anon = await aiohttp_client(create_app(ctx))
    pre = (await (await anon.get("/api/session")).json())["csrf"]
    assert (await _post(anon, pre, "/api/evacuations", ORDER)).status == 401
    assert (await _post(anon, pre, f"/api/shelters/{ANO[0]}/status", {"status": "open"})).status == 401
    client, csrf = await _client(aiohttp_client, ctx)
    assert (await _post(client, None, "/api/evacuations", ORDER)).status == 403  # no CSRF token
    assert (await _post(client, "forged", "/api/evacuations", ORDER)).status == 403
    assert (await (await client.get("/api/evacuations")).json())["features"] == []
    resp = await _post(client, csrf, "/api/evacuations", ORDER)
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert body["action"] == "issue" and body["alert"]["msg_type"] == "Alert" and body["alert"]["level"] == 4
    assert body["alert"]["source"] == "municipality"


@pytest.mark.parametrize("bad", [{**ORDER, "municipality_code": "13101"}, {**ORDER, "level": 2},
                                 {**ORDER, "municipality_code": "2420"}, {**ORDER, "extra": 1},
                                 {k: v for k, v in ORDER.items() if k != "level"}])
async def test_bad_entries_get_400(aiohttp_client, ctx, bad) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    resp = await _post(client, csrf, "/api/evacuations", bad)
    assert resp.status == 400 and "error" in await resp.json()
    assert await ctx.store.read(lambda s: s.query(EvacuationRow).count()) == 0


async def test_municipal_operator_is_restricted_to_its_municipality(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx, user="yokkaichi", municipality="24202")
    refused = await _post(client, csrf, "/api/evacuations", ORDER)  # 津市: not theirs
    assert refused.status == 403 and "24202" in (await refused.json())["error"]
    assert (await _post(client, csrf, f"/api/shelters/{ANO[0]}/status", {"status": "open"})).status == 403
    own = await _post(client, csrf, "/api/evacuations", {**ORDER, "municipality_code": "24202", "towns": []})
    assert own.status == 201
    assert (await _post(client, csrf, f"/api/shelters/{YOKKAICHI_SHELTER}/status", {"status": "open"})).status == 200
    rows = await ctx.store.read(lambda s: [(r.municipality_code, r.level) for r in store.evacuations(s)])
    assert rows == [("24202", 4)]


async def test_live_events_of_an_entry_are_built_after_the_commit(aiohttp_client, ctx, monkeypatch) -> None:
    """The writer's transaction returns frozen records; the evacuation and alert events are rendered from them
    after the commit, never on the writer thread while the transaction is open."""
    from publish import evacuations, geojson

    threads: list[str] = []
    for module, name in [(evacuations, "evacuation_feature"), (geojson, "alert_json")]:
        original = getattr(module, name)

        def spy(*args, _original=original, **kwargs):
            threads.append(threading.current_thread().name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(ctx.hub, "publish", lambda name, data, **_k: sent.append((name, data)))
    client, csrf = await _client(aiohttp_client, ctx)
    body = await (await _post(client, csrf, "/api/evacuations", ORDER)).json()
    assert [name for name, _ in sent] == ["evacuation", "alert"]
    assert sent[0][1] == body["evacuation"] and body["evacuation"]["properties"]["alert_id"] == body["alert"]["id"]
    assert threads and "store-writer" not in threads


async def test_prefecture_operator_may_act_for_every_municipality(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)  # no municipality: a prefecture operator
    for code in ("24201", "24202", "24543"):
        assert (await _post(client, csrf, "/api/evacuations", {**ORDER, "municipality_code": code})).status == 201


async def test_lifecycle_over_http_is_audited_and_ends_with_cancel(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    steps = [{**ORDER, "level": 3}, {**ORDER, "level": 4, "issued": "2026-09-12T19:00:00+09:00"},
             {**ORDER, "level": 4, "issued": "2026-09-12T19:05:00+09:00"},
             {**ORDER, "action": "lift", "level": None, "issued": "2026-09-12T21:00:00+09:00"}]
    answers = [await _post(client, csrf, "/api/evacuations", step) for step in steps]
    assert [a.status for a in answers] == [201, 201, 200, 201]
    bodies = [await a.json() for a in answers]
    assert [b["action"] for b in bodies] == ["issue", "raise", "unchanged", "lift"]
    assert [b["alert"]["msg_type"] if b["alert"] else None for b in bodies] == ["Alert", "Update", None, "Cancel"]
    again = await _post(client, csrf, "/api/evacuations", steps[-1])
    assert again.status == 409 and (await again.json())["action"] == "nothing_to_lift"
    audit = await ctx.store.read(lambda s: [(r.actor, r.action, r.before, r.after) for r in store.audit_log(s)])
    assert [(a[0], a[1]) for a in audit] == [("operator:ops", "issue"), ("operator:ops", "raise"),
                                            ("operator:ops", "lift")]
    assert audit[0][2] is None and audit[1][2]["level"] == 3 and audit[1][3]["level"] == 4
    assert audit[2][3]["lifted_at"].startswith("2026-09-12T12:00")
    assert (await (await client.get("/api/evacuations")).json())["features"] == []
    everything = (await (await client.get("/api/evacuations?all=1")).json())["features"]
    assert len(everything) == 1 and everything[0]["properties"]["in_force"] is False
    cancel_id = bodies[-1]["alert"]["id"]
    cap = await (await client.get(f"/cap/{cancel_id}.xml")).text()
    assert "<msgType>Cancel</msgType>" in cap and "出典：津市" in cap
    assert await ctx.store.read(lambda s: s.get(AlertRow, cancel_id).references) == bodies[1]["alert"]["id"]


async def test_get_evacuations_contract(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    for code, level in (("24201", 3), ("24202", 5), ("24207", 4)):
        await _post(client, csrf, "/api/evacuations", {**ORDER, "municipality_code": code, "level": level})
    resp = await client.get("/api/evacuations")
    assert resp.status == 200 and resp.content_type == "application/geo+json"
    fc = await resp.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 3
    for f in fc["features"]:
        p = f["properties"]
        assert {"municipality_code", "level", "name", "issued", "source"} <= set(p)
        assert p["level"] in (3, 4, 5) and p["name"] == LEVEL_NAMES[p["level"]]
        assert p["issued"].startswith("2026-09-12T09:30")
        assert f["geometry"]["type"] == "Point" and 136 < f["geometry"]["coordinates"][0] < 137.5
    by_code = {f["properties"]["municipality_code"]: f["properties"] for f in fc["features"]}
    assert by_code["24201"]["source"] == "津市" and by_code["24202"]["source"] == "四日市市"
    assert [f["properties"]["level"] for f in fc["features"]] == [5, 4, 3]  # highest first
    assert (await client.get("/api/evacuations?all=yes")).status == 400
    alerts = await (await client.get("/api/alerts?active=1")).json()
    assert {a["source"] for a in alerts} == {"municipality"} and len(alerts) == 3


async def test_shelter_status_open_filter_near_and_audit(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    for shelter_id in ANO[:3]:
        assert (await _post(client, csrf, f"/api/shelters/{shelter_id}/status", {"status": "open"})).status == 200
    full = await _post(client, csrf, f"/api/shelters/{ANO[3]}/status", {"status": "full"})
    assert (await full.json())["shelter"]["properties"]["status"] == "full"
    same = await (await _post(client, csrf, f"/api/shelters/{ANO[0]}/status", {"status": "open"})).json()
    assert same["changed"] is False
    assert (await _post(client, csrf, f"/api/shelters/{ANO[0]}/status", {"status": "shut"})).status == 400
    assert (await _post(client, csrf, "/api/shelters/E999/status", {"status": "open"})).status == 404
    resp = await client.get("/api/shelters?open=1&near=34.7460,136.4441")
    assert resp.status == 200 and resp.content_type == "application/geo+json"
    features = (await resp.json())["features"]
    assert features[0]["properties"]["id"] == ANO[0]  # 今徳区公民館 is nearest
    assert sorted(f["properties"]["id"] for f in features) == sorted(ANO)
    assert {f["properties"]["status"] for f in features} == {"open", "full"}
    assert all(isinstance(f["properties"]["hazards"], list) for f in features)
    await _post(client, csrf, f"/api/shelters/{ANO[1]}/status", {"status": "closed"})
    still = (await (await client.get("/api/shelters?open=1")).json())["features"]
    assert ANO[1] not in {f["properties"]["id"] for f in still} and len(still) == 3
    every = (await (await client.get("/api/shelters?municipality=24201&limit=5000")).json())["features"]
    assert {f["properties"]["status"] for f in every} == {"open", "full", "closed"}
    audit = await ctx.store.read(lambda s: [(r.entity_id, r.before["status"], r.after["status"])
                                            for r in store.audit_log(s, "shelter")])
    assert audit == [(ANO[0], "closed", "open"), (ANO[1], "closed", "open"), (ANO[2], "closed", "open"),
                     (ANO[3], "closed", "full"), (ANO[1], "open", "closed")]


async def test_session_names_the_operators_municipality_and_the_service_clock(aiohttp_client, ctx) -> None:
    """The command center offers only the operator's own municipality, and times from the service clock."""
    client, _csrf = await _client(aiohttp_client, ctx, user="tsu", municipality="24201")
    info = await (await client.get("/api/session")).json()
    assert info["user"] == "tsu" and info["municipality"] == "24201"
    assert info["now"] == ctx.clock().isoformat()
    page = await (await client.get("/")).text()
    settings = json.loads(html.unescape(re.search(r'data-settings="([^"]*)"', page).group(1)))  # type: ignore[union-attr]
    assert settings["userMunicipality"] == "24201" and settings["now"] == info["now"]
    assert [r[0] for r in settings["evacuationReasons"]][:2] == ["flood", "landslide"]
    anon = await aiohttp_client(create_app(ctx))
    assert (await (await anon.get("/api/session")).json())["municipality"] is None


async def test_audit_api_lists_latest_changes_for_operators_only(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    await _post(client, csrf, "/api/evacuations", ORDER)
    await _post(client, csrf, f"/api/shelters/{ANO[0]}/status", {"status": "open"})
    anon = await aiohttp_client(create_app(ctx))
    assert (await anon.get("/api/audit")).status == 401
    resp = await client.get("/api/audit?limit=5")
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    entries = (await resp.json())["entries"]
    assert [(e["entity"], e["action"], e["actor"]) for e in entries] == [
        ("shelter", "shelter_status", "operator:ops"), ("evacuation", "issue", "operator:ops")]
    assert entries[0]["before"]["status"] == "closed" and entries[0]["after"]["status"] == "open"
    assert entries[0]["label"].startswith("津市 ") and entries[1]["label"] == "津市 安濃町今徳"
    assert entries[1]["before"] is None and entries[1]["after"]["level"] == 4
    assert (await client.get("/api/audit?limit=0")).status == 400


async def test_shelters_are_found_by_part_of_their_name(aiohttp_client, ctx) -> None:
    client = await aiohttp_client(create_app(ctx))
    found = (await (await client.get("/api/shelters?municipality=24201&q=今徳")).json())["features"]
    assert ANO[0] in {f["properties"]["id"] for f in found}
    assert all("今徳" in f["properties"]["name"] + f["properties"]["address"] for f in found)
    assert (await client.get("/api/shelters?q=" + "x" * 65)).status == 400
