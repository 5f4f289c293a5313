"""Operator login, sessions, CSRF and triage actions."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import pytest
from web_factories import add_incident, add_post

from bosai.web.app import create_app
from bosai.web.auth import SESSION_COOKIE, Authenticator, create_operator
from bosai.web.passwords import hash_password, unusable_hash, verify_password
from kernel.store.models import AlertRow, IncidentRow


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_password_hashes_are_salted_and_checked():
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("correct horse", a) and not verify_password("wrong", a)
    assert not verify_password("x", "garbage") and not verify_password("x", "scrypt$99999999999$8$1$AA$AA")


def test_new_hashes_use_the_owasp_scrypt_cost():
    scheme, n, r, p, _salt, _key = hash_password("correct horse").split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**17, 8, 1)  # OWASP Password Storage Cheat Sheet


def test_hashes_made_at_the_old_cost_still_verify():
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(b"correct horse", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${_b64(salt)}${_b64(key)}"
    assert verify_password("correct horse", old) and not verify_password("wrong", old)


def test_the_unknown_user_hash_costs_a_real_check_and_matches_nothing():
    dummy = unusable_hash()
    assert dummy.split("$")[:4] == ["scrypt", str(2**17), "8", "1"]
    assert not verify_password("", dummy)


@pytest.mark.parametrize("user", ["ops", "nobody"])
async def test_password_checks_run_off_the_event_loop(ctx, user):
    """While scrypt runs (hundreds of ms at today's cost), the loop keeps serving other requests."""
    auth = Authenticator(ctx.config, ctx.store, env={"BOSAI_OPERATORS": f"ops:{hash_password('s3cret-pass')}"})
    loop = asyncio.get_running_loop()
    start = last = loop.time()
    check = asyncio.create_task(auth.check_password(user, "s3cret-pass"))
    gaps: list[float] = []
    while not check.done():
        await asyncio.sleep(0.005)
        gaps.append(loop.time() - last)
        last = loop.time()
    assert await check is (user == "ops")
    # On the loop, the hash would hold it for most of the check: one gap as long as the hash itself.
    assert len(gaps) >= 5 and max(gaps) < 0.5 * (last - start)


async def _csrf(client) -> str:
    return (await (await client.get("/api/session")).json())["csrf"]


async def _login(client, password: str = "s3cret-pass") -> str:
    token = await _csrf(client)
    resp = await client.post("/login", json={"username": "ops", "password": password},
                             headers={"X-CSRF-Token": token})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["csrf"]


async def test_triage_needs_login_and_csrf(aiohttp_client, ctx):
    await create_operator(ctx.store, "ops", "s3cret-pass")
    incident = await ctx.store.write(lambda s: add_incident(s).id)
    client = await aiohttp_client(create_app(ctx))
    assert (await client.get("/api/triage")).status == 401
    anon = await client.post(f"/api/triage/{incident}/confirm", headers={"X-CSRF-Token": await _csrf(client)})
    assert anon.status == 401

    token = await _csrf(client)
    bad = await client.post("/login", json={"username": "ops", "password": "nope"}, headers={"X-CSRF-Token": token})
    assert bad.status == 401 and SESSION_COOKIE not in bad.cookies
    no_csrf = await client.post("/login", json={"username": "ops", "password": "s3cret-pass"})
    assert no_csrf.status == 403

    await _login(client)
    queue = await (await client.get("/api/triage")).json()
    assert [f["properties"]["id"] for f in queue["features"]] == [incident]
    assert (await client.post(f"/api/triage/{incident}/confirm")).status == 403  # CSRF missing
    assert (await client.post(f"/api/triage/{incident}/confirm", headers={"X-CSRF-Token": "forged"})).status == 403
    assert await ctx.store.read(lambda s: s.get(IncidentRow, incident).status) == "unverified"


async def test_confirm_creates_alert_and_publishes(aiohttp_client, ctx):
    await create_operator(ctx.store, "ops", "s3cret-pass")
    ids = await ctx.store.write(lambda s: (add_incident(s).id, add_incident(s, title="同じ冠水").id))
    client = await aiohttp_client(create_app(ctx))
    csrf = await _login(client)
    events = ctx.hub.subscribe()
    first = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    resp = await client.post(f"/api/triage/{ids[0]}/confirm", json={"reason": "電話で確認"},
                             headers={"X-CSRF-Token": csrf})
    body = await resp.json()
    assert resp.status == 200, body
    assert body["incident"]["properties"]["status"] == "confirmed"
    assert body["alert"]["id"] == f"incident-{ids[0]}"
    assert (await asyncio.wait_for(first, 2)).name == "incident"
    assert (await asyncio.wait_for(anext(events), 2)).name == "alert"
    await events.aclose()
    assert await ctx.store.read(lambda s: s.get(AlertRow, f"incident-{ids[0]}") is not None)

    again = await client.post(f"/api/triage/{ids[0]}/confirm", headers={"X-CSRF-Token": csrf})
    assert again.status == 409
    merged = await client.post(f"/api/triage/{ids[1]}/merge", json={"into": ids[0]}, headers={"X-CSRF-Token": csrf})
    assert merged.status == 200
    assert await ctx.store.read(lambda s: s.get(IncidentRow, ids[1]).merged_into) == ids[0]
    assert (await client.post("/api/triage/999/dismiss", headers={"X-CSRF-Token": csrf})).status == 404
    assert (await client.post(f"/api/triage/{ids[1]}/merge", headers={"X-CSRF-Token": csrf})).status == 400


async def test_triage_labels_only_the_posts_the_operator_ticked(aiohttp_client, ctx):
    from kernel.store.labels import decision_rows

    await create_operator(ctx.store, "ops", "s3cret-pass")

    def seed(s):
        inc, other = add_incident(s), add_incident(s, title="別件")
        posts = [add_post(s, t, incident_id=inc.id).id for t in ("大門で冠水", "車が動けない", "水が引かない")]
        return inc.id, other.id, posts, add_post(s, "別件の投稿", incident_id=other.id).id

    incident, other, posts, stranger = await ctx.store.write(seed)
    client = await aiohttp_client(create_app(ctx))
    csrf = await _login(client)
    headers = {"X-CSRF-Token": csrf}
    for bad in ({"posts": [stranger]}, {"posts": "1,2"}, {"posts": [True]}, {"posts": [0]}, {"posts": [1] * 51}):
        resp = await client.post(f"/api/triage/{incident}/confirm", json=bad, headers=headers)
        assert resp.status == 400, bad
    assert (await client.post(f"/api/triage/{other}/merge", json={"into": incident, "posts": [stranger]},
                              headers=headers)).status == 400
    assert await ctx.store.read(lambda s: s.get(IncidentRow, incident).status) == "unverified"
    ok = await client.post(f"/api/triage/{incident}/confirm", json={"posts": posts[:2]}, headers=headers)
    assert ok.status == 200, await ok.text()
    rows = await ctx.store.read(decision_rows)
    assert sorted((r["post_id"], r["decision"], r["actor"]) for r in rows) == [
        (posts[0], "confirm", "ops"), (posts[1], "confirm", "ops")]


async def test_logout_revokes_and_forged_cookie_refused(aiohttp_client, ctx):
    await create_operator(ctx.store, "ops", "s3cret-pass")
    client = await aiohttp_client(create_app(ctx))
    csrf = await _login(client)
    assert (await client.get("/api/triage")).status == 200
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value
    assert (await client.post("/logout", headers={"X-CSRF-Token": csrf})).status == 200
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: cookie})
    assert (await client.get("/api/triage")).status == 401  # revoked though still signed
    body, _, sig = cookie.rpartition(".")
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: body + "." + "0" * len(sig)})
    assert (await client.get("/api/triage")).status == 401


async def test_login_is_rate_limited(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    token = await _csrf(client)
    statuses = []
    for _ in range(7):
        resp = await client.post("/login", json={"username": "ops", "password": "guess"},
                                 headers={"X-CSRF-Token": token})
        statuses.append(resp.status)
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429


async def test_form_login_sets_strict_httponly_cookie(aiohttp_client, ctx):
    await create_operator(ctx.store, "ops", "s3cret-pass")
    client = await aiohttp_client(create_app(ctx))
    page = await client.get("/login")
    html = await page.text()
    token = html.split('name="csrf" value="')[1].split('"')[0]
    resp = await client.post("/login", data={"username": "ops", "password": "s3cret-pass", "csrf": token},
                             allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    set_cookie = resp.headers.getall("Set-Cookie")
    session = next(c for c in set_cookie if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session and "SameSite=Strict" in session


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "<script>"])
async def test_create_operator_rejects_bad_names(web_store, name):
    with pytest.raises(ValueError, match="username"):
        await create_operator(web_store, name, "s3cret-pass")
