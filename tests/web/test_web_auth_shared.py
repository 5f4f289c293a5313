"""Two web processes sharing one real Redis (issue 17): a session started on one is good on the other and after a
restart, a logout on one ends it on both, and the login limit, the per-account back-off and the public limit
are counted once across them. Each "process" is an app of its own (its own state and Redis connections) on its
own port; the Redis is the one scripts/test.sh starts. Also: an unreachable Redis refuses logins with 503."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from web_factories import make_ctx

from bosai.web.app import create_app
from bosai.web.auth import SESSION_COOKIE, Authenticator, create_operator
from bosai.web.keys import AUTH
from kernel.config import BusConfig

URL = os.environ.get("BOSAI_TEST_REDIS_URL")
SECRET = "BOSAI_SESSION_SECRET"
Start = Callable[..., Awaitable[Any]]


def _ctx(web_store: Any, tmp_path: Any, redis_url: str, prefix: str, **web: Any) -> Any:
    ctx = make_ctx(web_store, tmp_path, trusted_proxies=["127.0.0.1"], rate=web.pop("rate", 6000))
    config = ctx.config.model_copy(update={
        "bus": BusConfig(kind="redis", redis_url=redis_url, redis_prefix=prefix),
        "web": ctx.config.web.model_copy(update=web)})
    return dataclasses.replace(ctx, config=config)


@pytest.fixture
async def redis_url() -> str:
    if not URL:
        if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1":
            pytest.fail("BOSAI_TEST_REDIS_URL is not set: scripts/test.sh starts redis-server")
        pytest.skip("Redis not configured (run scripts/test.sh)")
    return URL


@pytest.fixture
async def processes(redis_url, web_store, tmp_path, aiohttp_client) -> AsyncIterator[tuple[Start, aioredis.Redis]]:
    """``start(**web)``: one more web process (a test client of its own app) over the shared Redis."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    await create_operator(web_store, "ops", "s3cret-pass")

    async def start(**web: Any) -> Any:
        return await aiohttp_client(create_app(_ctx(web_store, tmp_path, redis_url, prefix, **web)))

    peek = aioredis.from_url(redis_url)
    yield start, peek
    keys = [k async for k in peek.scan_iter(f"{prefix}:*")]
    if keys:
        await peek.delete(*keys)
    await peek.aclose()


async def _csrf(client: Any) -> str:
    return (await (await client.get("/api/session")).json())["csrf"]


async def _attempt(client: Any, username: str, password: str, address: str = "192.0.2.1") -> Any:
    client.session.cookie_jar.clear()
    token = await _csrf(client)
    return await client.post("/login", json={"username": username, "password": password},
                             headers={"X-CSRF-Token": token, "X-Forwarded-For": address})


async def _login(client: Any) -> tuple[str, str]:
    """The session cookie and CSRF token of a fresh login on ``client``."""
    resp = await _attempt(client, "ops", "s3cret-pass")
    assert resp.status == 200, await resp.text()
    return client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value, \
        (await resp.json())["csrf"]


async def _user(client: Any, cookie: str) -> str | None:
    client.session.cookie_jar.clear()
    resp = await client.get("/api/session", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    return (await resp.json())["user"]


async def test_logout_on_one_process_ends_the_session_on_the_other(processes, monkeypatch) -> None:
    monkeypatch.setenv(SECRET, "one secret for both processes")
    start, _ = processes
    a, b = await start(), await start()
    cookie, csrf = await _login(a)
    assert await _user(b, cookie) == "ops"
    a.session.cookie_jar.update_cookies({SESSION_COOKIE: cookie})
    assert (await a.post("/logout", headers={"X-CSRF-Token": csrf})).status == 200
    assert await _user(b, cookie) is None  # still signed and unexpired, but logged out
    assert await _user(a, cookie) is None


async def test_a_live_stream_on_the_other_process_learns_of_a_logout(processes, monkeypatch) -> None:
    monkeypatch.setenv(SECRET, "one secret for both processes")
    start, _ = processes
    a, b = await start(), await start()
    cookie, csrf = await _login(a)
    assert await _user(b, cookie) == "ops"  # B looked it up: what its live stream checks against
    auth_b = b.app[AUTH]
    auth_b.sessions.recheck_s = 0.0  # the stream re-checks at every private event (without waiting for Redis)
    assert auth_b.read(cookie) is not None
    a.session.cookie_jar.update_cookies({SESSION_COOKIE: cookie})
    assert (await a.post("/logout", headers={"X-CSRF-Token": csrf})).status == 200
    for _ in range(100):
        if auth_b.read(cookie) is None:
            break
        await asyncio.sleep(0.02)
    assert auth_b.read(cookie) is None


async def test_sessions_outlive_a_restart_without_a_configured_secret(processes, monkeypatch) -> None:
    monkeypatch.delenv(SECRET, raising=False)  # the processes agree on a key kept in Redis
    start, _ = processes
    a, b = await start(), await start()
    cookie, _csrf_token = await _login(a)
    assert await _user(b, cookie) == "ops"
    await a.close()
    restarted = await start()
    assert await _user(restarted, cookie) == "ops"


async def test_the_login_limit_is_counted_once_across_processes(processes) -> None:
    start, _ = processes
    a, b = await start(), await start()
    # Names no operator can have: refused without a password hash, so the bucket has no time to refill.
    statuses = [(await _attempt(client, f"no one {i}", "guess")).status for i, client in enumerate([a, b] * 3)]
    assert statuses == [401] * 5 + [429]  # a burst of 5 per address, in all


async def test_the_public_limit_is_counted_once_across_processes(processes) -> None:
    start, _ = processes
    a, b = await start(rate=4), await start(rate=4)
    statuses = [(await client.get("/api/no-such-thing")).status for client in [a, b] * 3]
    assert statuses[:4] == [404] * 4 and statuses[4:] == [429, 429]


async def test_an_account_back_off_is_shared_by_the_processes(processes) -> None:
    start, _ = processes
    a, b = await start(login_backoff_after=3), await start(login_backoff_after=3)
    failures = [(await _attempt(c, "ops", "guess", f"203.0.113.{i}")).status for i, c in enumerate([a, b, a])]
    assert failures == [401, 401, 401]  # three addresses, two processes: one account
    held = await _attempt(b, "ops", "s3cret-pass", "203.0.113.10")
    assert held.status == 429 and held.headers["Retry-After"] == "1"  # even the right password waits
    await asyncio.sleep(1.1)
    assert (await _attempt(a, "ops", "s3cret-pass", "203.0.113.11")).status == 200
    assert (await _attempt(b, "ops", "guess", "203.0.113.12")).status == 401  # the success reset it everywhere


async def test_every_key_expires_but_the_signing_key(processes, monkeypatch) -> None:
    monkeypatch.delenv(SECRET, raising=False)
    start, peek = processes
    a = await start(rate=100)
    await _login(a)
    await _attempt(a, "ops", "guess")
    await a.get("/api/no-such-thing")
    ttls = {key.decode().split(":", 2)[2].split(":")[0]: await peek.pttl(key)
            async for key in peek.scan_iter(f"{a.app[AUTH].state.prefix}:*")}
    assert set(ttls) == {"session", "limit", "backoff", "signing-key"}
    assert ttls.pop("signing-key") == -1 and all(ttl > 0 for ttl in ttls.values()), ttls


async def test_an_unreachable_redis_refuses_logins_and_sessions_with_503(web_store, tmp_path, aiohttp_client,
                                                                         monkeypatch) -> None:
    monkeypatch.setenv(SECRET, "a configured secret")
    ctx = _ctx(web_store, tmp_path, "redis://127.0.0.1:1/0", "test-down")  # nothing listens on port 1
    await create_operator(web_store, "ops", "s3cret-pass")
    client = await aiohttp_client(create_app(ctx))
    refused = await _attempt(client, "ops", "s3cret-pass")
    assert refused.status == 503 and int(refused.headers["Retry-After"]) > 0
    cookie, _ = await Authenticator(ctx.config, web_store).issue("ops")  # a good cookie, signed alike
    client.session.cookie_jar.clear()
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    assert (await client.get("/api/posts", headers=headers)).status == 503  # not 401: the session may be on
    assert (await client.get("/api/session", headers=headers)).status == 200  # public view meanwhile
    assert (await client.get("/api/no-such-thing")).status == 404  # public limits count locally meanwhile
