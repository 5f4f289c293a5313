"""The web app under attack: hostile text in every machine-readable output, operator endpoints without a
session or CSRF token, rate limits on every public endpoint, hostile JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from web_factories import (
    HOSTILE,
    add_alert,
    add_gauge,
    add_incident,
    add_post,
    add_warning_report,
    login,
    make_ctx,
    warning_item,
)

from bosai.context import ServiceContext
from bosai.web.app import create_app
from bosai.web.auth import create_operator
from kernel.store import Store

RAW_MARKERS = (b"<script>window.__pwned", b"<img src=x")  # in XML text an unescaped quote is harmless
PUBLIC_PATHS = ["/api/alerts", "/api/incidents", "/api/posts", "/api/gauges", "/api/cameras", "/api/warnings",
                "/api/shelters", "/cap/x.xml", "/feeds/en.atom", "/public", "/public/en", "/cameras/c1/latest.jpg"]
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store."""
    s = Store(f"sqlite:///{tmp_path}/web.db")
    s.upgrade()
    s.start()
    yield s
    s.close()


@pytest.fixture
def ctx(store: Store, tmp_path: Path) -> ServiceContext:
    """A service context with generous rate limits."""
    (tmp_path / "var").mkdir()
    return make_ctx(store, tmp_path / "var")


def _seed(s: Any) -> str:
    add_incident(s, title=HOSTILE, place_name=HOSTILE)
    add_post(s, HOSTILE, author=HOSTILE)
    add_gauge(s, "g1", 3.5, 3, add_incident(s).last_seen).name = HOSTILE
    add_warning_report(s, [warning_item("2420100", HOSTILE, HOSTILE, 3)])
    return add_alert(s, areas=[{"code": "2420100", "name": HOSTILE}],
                     slots={"kind": "incident", "hazard": "flood", "place": HOSTILE,
                            "time": "2026-09-12T10:00:00+00:00"}).id


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


async def test_hostile_text_is_escaped_in_atom_cap_and_json(aiohttp_client, ctx) -> None:
    alert_id = await ctx.store.write(_seed)
    client = await aiohttp_client(create_app(ctx))
    for path in ("/feeds/en.atom", "/feeds/ja.atom", f"/cap/{alert_id}.xml"):
        resp = await client.get(path)
        body = await resp.read()
        assert resp.status == 200, path
        assert not any(m in body for m in RAW_MARKERS), path
        root = etree.fromstring(body, SAFE_XML)  # well-formed: the text did not break the markup
        assert all(isinstance(n, etree._Element) for n in root.iter()), path
        texts = "".join(root.itertext()) + "".join(v for e in root.iter() for v in e.attrib.values())
        assert "<script>window.__pwned=1</script>" in texts, f"{path}: hostile text should survive as text"
    await login(client, ctx.store)  # the hostile post and unverified incident are shown to operators only
    for path in ("/api/incidents", "/api/posts", "/api/alerts", "/api/gauges", "/api/warnings"):
        resp = await client.get(path)
        assert resp.status == 200 and "json" in resp.content_type, path
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        data = json.loads(await resp.read())
        assert HOSTILE in set(_strings(data)), f"{path}: the text must round-trip exactly as a JSON string"


ACTIONS = ["confirm", "dismiss", "resolve", "merge"]


async def _csrf(client: Any) -> str:
    return (await (await client.get("/api/session")).json())["csrf"]


async def test_operator_endpoints_need_a_session_and_csrf(aiohttp_client, ctx) -> None:
    await create_operator(ctx.store, "ops", "s3cret-pass")
    incident = await ctx.store.write(lambda s: add_incident(s).id)
    client = await aiohttp_client(create_app(ctx))
    other = await aiohttp_client(create_app(ctx))
    for action in ACTIONS:
        path = f"/api/triage/{incident}/{action}"
        assert (await client.post(path, json={"into": incident})).status == 403, path  # no session, no token
        token = await _csrf(client)
        assert (await client.post(path, json={"into": incident}, headers={"X-CSRF-Token": token})).status == 401
    assert (await client.get("/api/triage")).status == 401

    login = await client.post("/login", json={"username": "ops", "password": "s3cret-pass"},
                              headers={"X-CSRF-Token": await _csrf(client)})
    csrf = (await login.json())["csrf"]
    foreign = await _csrf(other)  # a valid token of another browser
    for action in ACTIONS:
        path = f"/api/triage/{incident}/{action}"
        for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": foreign}, {"X-CSRF-Token": csrf + "x"}):
            assert (await client.post(path, json={"into": incident}, headers=headers)).status == 403, (path, headers)
        form = await client.post(path, data={"csrf": "forged"})
        assert form.status == 403
    assert (await client.post("/logout")).status == 403
    assert await ctx.store.read(lambda s: s.get(type(add_incident(s)), incident).status) == "unverified"


async def test_hostile_triage_and_login_bodies_get_4xx(aiohttp_client, ctx) -> None:
    await create_operator(ctx.store, "ops", "s3cret-pass")
    ids = await ctx.store.write(lambda s: (add_incident(s).id, add_incident(s).id))
    client = await aiohttp_client(create_app(ctx))
    nested = "[" * 5000 + "]" * 5000
    resp = await client.post("/login", data=nested, headers={"X-CSRF-Token": await _csrf(client),
                                                            "Content-Type": "application/json"})
    assert resp.status == 401  # used to be a 500 (RecursionError)
    login = await client.post("/login", json={"username": "ops", "password": "s3cret-pass"},
                              headers={"X-CSRF-Token": await _csrf(client)})
    headers = {"X-CSRF-Token": (await login.json())["csrf"], "Content-Type": "application/json"}
    bodies = [nested, "{", '"text"', "[]", json.dumps({"into": "9" * 40}), json.dumps({"into": -1}),
              json.dumps({"into": "²"}), json.dumps({"into": True}), json.dumps({"reason": {"a": 1}, "into": []})]
    for body in bodies:
        resp = await client.post(f"/api/triage/{ids[1]}/merge", data=body, headers=headers)
        assert 400 <= resp.status < 500, (body[:40], resp.status, await resp.text())
    assert (await client.post("/api/triage/99999999999999/dismiss", headers=headers)).status == 404


async def test_every_public_endpoint_is_rate_limited_with_retry_after(aiohttp_client, store, tmp_path) -> None:
    client = await aiohttp_client(create_app(make_ctx(store, tmp_path, rate=2)))
    assert [(await client.get("/api/alerts")).status for _ in range(2)] == [200, 200]
    for path in PUBLIC_PATHS:
        for spoof in ({}, {"X-Forwarded-For": "203.0.113.9"}, {"X-Real-IP": "198.51.100.7"}):
            resp = await client.get(path, headers=spoof)
            assert resp.status == 429, (path, spoof)
            assert int(resp.headers["Retry-After"]) >= 1 and "error" in await resp.json()
    assert (await client.get("/healthz")).status == 200


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(aiohttp_client, store, tmp_path) -> None:
    """The test client connects from 127.0.0.1, here the trusted proxy that appends the client's address."""
    client = await aiohttp_client(create_app(make_ctx(store, tmp_path, rate=2, trusted_proxies=["127.0.0.1"])))

    async def status(forwarded_for: str) -> int:
        return (await client.get("/api/alerts", headers={"X-Forwarded-For": forwarded_for})).status

    assert [await status("203.0.113.9") for _ in range(3)] == [200, 200, 429]
    assert await status("198.51.100.7") == 200  # another resident behind the same proxy
    # A client cannot escape its bucket by writing its own X-Forwarded-For: the proxy appends the real address.
    assert await status("192.0.2.1, 203.0.113.9") == 429
    assert await status("203.0.113.9, 127.0.0.1") == 429  # a chain of trusted proxies is walked through
