"""Limits found by probing a running demo (issue 17 §4): a cap on all open /live streams, a back-off per
operator account, Secure cookies behind a TLS-terminating proxy, and post text shown without bidi controls
or zero-width characters."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from sqlalchemy import select
from web_factories import add_incident, add_post, login, make_ctx

from bosai.context import ServiceContext
from bosai.web.app import create_app
from bosai.web.auth import CSRF_COOKIE, SESSION_COOKIE, create_operator
from bosai.web.keys import AUTH
from kernel.store.models import PostRow


def _web(ctx: ServiceContext, **web: Any) -> ServiceContext:
    return dataclasses.replace(ctx, config=ctx.config.model_copy(
        update={"web": ctx.config.web.model_copy(update=web)}))


async def _stream(client: Any, address: str) -> Any:
    resp = await client.get("/live", headers={"X-Forwarded-For": address})
    if resp.status == 200:
        assert (await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5)).startswith(b"retry:")
    return resp


async def test_open_live_streams_are_capped_in_all_with_503(aiohttp_client, web_store, tmp_path) -> None:
    ctx = _web(make_ctx(web_store, tmp_path, trusted_proxies=["127.0.0.1"]), live_streams_total=3)
    client = await aiohttp_client(create_app(ctx))
    streams = [await _stream(client, f"198.51.100.{i}") for i in range(1, 4)]  # three addresses, one each
    assert [s.status for s in streams] == [200, 200, 200]
    full = await _stream(client, "198.51.100.4")
    assert full.status == 503 and int(full.headers["Retry-After"]) > 0
    streams[0].close()
    for _ in range(200):  # the server notices the closed stream and frees its place
        again = await _stream(client, "198.51.100.5")
        if again.status == 200:
            break
        await asyncio.sleep(0.02)
    assert again.status == 200
    for s in [*streams[1:], again]:
        s.close()


async def _attempt(client: Any, token: str, address: str, username: str, password: str) -> Any:
    return await client.post("/login", json={"username": username, "password": password},
                             headers={"X-CSRF-Token": token, "X-Forwarded-For": address})


async def test_an_account_backs_off_after_failed_logins_from_many_addresses(aiohttp_client, web_store,
                                                                            tmp_path) -> None:
    ctx = _web(make_ctx(web_store, tmp_path, trusted_proxies=["127.0.0.1"]), login_backoff_after=3)
    await create_operator(web_store, "ops", "s3cret-pass")
    await create_operator(web_store, "other", "s3cret-pass")
    app = create_app(ctx)
    now = [1000.0]
    app[AUTH].account_backoff.clock = lambda: now[0]
    client = await aiohttp_client(app)
    token = (await (await client.get("/api/session")).json())["csrf"]
    statuses = [(await _attempt(client, token, f"203.0.113.{i}", "ops", "guess")).status for i in range(1, 4)]
    assert statuses == [401, 401, 401]  # each from a fresh address: the per-address limit never applies
    held = await _attempt(client, token, "203.0.113.10", "ops", "s3cret-pass")
    assert held.status == 429 and held.headers["Retry-After"] == "1"  # even the right password waits
    assert (await _attempt(client, token, "203.0.113.11", "other", "s3cret-pass")).status == 200  # others unaffected
    client.session.cookie_jar.clear()
    token = (await (await client.get("/api/session")).json())["csrf"]
    now[0] += 1.5
    assert (await _attempt(client, token, "203.0.113.12", "ops", "guess")).status == 401
    held = await _attempt(client, token, "203.0.113.13", "ops", "guess")
    assert held.status == 429 and held.headers["Retry-After"] == "2"  # doubled
    now[0] += 2.5
    assert (await _attempt(client, token, "203.0.113.14", "ops", "s3cret-pass")).status == 200
    client.session.cookie_jar.clear()
    token = (await (await client.get("/api/session")).json())["csrf"]
    assert (await _attempt(client, token, "203.0.113.15", "ops", "guess")).status == 401  # reset by the success


async def _login_cookie(client: Any, headers: dict[str, str]) -> str:
    """The session cookie a new visitor gets (the pre-session cookie is sent by hand: a jar keeps a Secure
    cookie from plain-HTTP requests, which is the point)."""
    client.session.cookie_jar.clear()
    page = await client.get("/api/session", headers=headers)
    token = (await page.json())["csrf"]
    client.session.cookie_jar.clear()
    resp = await client.post("/login", json={"username": "ops", "password": "s3cret-pass"},
                             headers={"X-CSRF-Token": token, "Cookie": f"{CSRF_COOKIE}={token}", **headers})
    assert resp.status == 200
    return next(c for c in resp.headers.getall("Set-Cookie") if c.startswith(SESSION_COOKIE))


async def test_cookies_are_secure_behind_a_trusted_tls_proxy(aiohttp_client, web_store, tmp_path) -> None:
    await create_operator(web_store, "ops", "s3cret-pass")
    behind = await aiohttp_client(create_app(make_ctx(web_store, tmp_path, trusted_proxies=["127.0.0.1"])))
    assert "Secure" in await _login_cookie(behind, {"X-Forwarded-Proto": "https"})
    assert "Secure" not in await _login_cookie(behind, {"X-Forwarded-Proto": "http"})
    untrusted = await aiohttp_client(create_app(make_ctx(web_store, tmp_path)))  # the header is anyone's claim
    assert "Secure" not in await _login_cookie(untrusted, {"X-Forwarded-Proto": "https"})


HIDDEN = "\u202e\u2066\u200b\u200d\ufeff\u200f"
SHOWN = "津市 大門 冠水 txt.exe"


async def test_operators_see_post_text_without_bidi_or_zero_width_characters(aiohttp_client, ctx) -> None:
    stored = f"津市\u202e 大門\u200b 冠水\ufeff txt.exe\u2066\u2069{HIDDEN}"

    def build(s: Any) -> int:
        incident = add_incident(s, title=stored)
        return add_post(s, stored, author="ta\u202ero", incident_id=incident.id).id

    post_id = await ctx.store.write(build)
    client = await aiohttp_client(create_app(ctx))
    await login(client, ctx.store)
    [post] = (await (await client.get("/api/posts")).json())["features"]
    assert post["properties"]["text"] == SHOWN and post["properties"]["author"] == "taro"
    [incident] = (await (await client.get("/api/incidents")).json())["features"]
    assert incident["properties"]["title"] == SHOWN
    [card] = (await (await client.get("/api/triage")).json())["features"]
    assert card["properties"]["title"] == SHOWN
    assert [(p["author"], p["text"]) for p in card["properties"]["posts"]] == [("taro", SHOWN)]
    with ctx.store.session() as s:  # the original is kept
        assert s.scalars(select(PostRow.text).where(PostRow.id == post_id)).one() == stored
