"""The in-memory web state (one web process): sessions and logouts, token buckets, the per-account back-off,
and the choice between memory and Redis by ``bus.kind``."""

from __future__ import annotations

import pytest

from bosai.web.ratelimit import AccountBackoff, RateLimiter
from bosai.web.session_store import MemorySessions, MemoryState, make_state
from kernel.config import AppConfig


async def test_a_session_is_on_until_logged_out():
    sessions = MemorySessions()
    await sessions.start("n1", "ops", 60)
    assert await sessions.alive("n1") and sessions.known_alive("n1")
    await sessions.end("n1")
    assert not await sessions.alive("n1") and not sessions.known_alive("n1")
    assert await sessions.alive("n2")  # stateless: any other signed cookie is still good


async def test_logged_out_nonces_are_kept_until_their_cookies_expire_and_no_longer():
    now = [0.0]
    sessions = MemorySessions(ttl_s=100, clock=lambda: now[0])
    for i in range(20_000):  # far more logouts than any cap: none of them may come back to life
        await sessions.end(f"n{i}")
    assert not sessions.known_alive("n0") and not sessions.known_alive("n19999")
    now[0] = 150.0  # every cookie logged out at 0 has expired by now
    await sessions.end("late")
    assert len(sessions._revoked) == 1 and not sessions.known_alive("late")


async def test_a_bucket_allows_its_burst_then_tells_the_wait():
    now = [0.0]
    bucket = RateLimiter(60, capacity=2, clock=lambda: now[0])
    assert [await bucket.retry_after("a") for _ in range(3)] == [0, 0, 1]
    assert await bucket.retry_after("b") == 0  # per key
    now[0] += 1.0
    assert await bucket.retry_after("a") == 0  # one token back after a second at 60 per minute


async def test_the_back_off_doubles_per_failure_up_to_its_cap_and_a_success_resets_it():
    now = [100.0]
    backoff = AccountBackoff(2, base_s=1.0, max_s=3.0, clock=lambda: now[0])
    await backoff.failed("ops")
    assert await backoff.retry_after("ops") == 0
    waits = []
    for _ in range(4):
        await backoff.failed("ops")
        waits.append(await backoff.retry_after("ops"))
    assert waits == [1, 2, 3, 3]  # doubled, then capped at max_s
    now[0] += 3.0
    assert await backoff.retry_after("ops") == 0
    await backoff.succeeded("ops")
    await backoff.failed("ops")
    assert await backoff.retry_after("ops") == 0 and await backoff.retry_after("other") == 0


async def test_memory_state_makes_separate_buckets_and_keeps_its_own_key():
    state = MemoryState()
    login, public = state.limiter("login", 60, capacity=1, strict=True), state.limiter("public", 60, capacity=1)
    assert [await login.retry_after("a"), await login.retry_after("a"), await public.retry_after("a")] == [0, 1, 0]
    backoff = state.backoff(1, 10.0)
    await backoff.failed("ops")
    assert await backoff.retry_after("ops") == 1
    assert await state.signing_key("mine") == "mine"
    await state.close()


@pytest.mark.parametrize(("kind", "shared"), [("memory", False), ("redis", True)])
async def test_the_bus_kind_picks_where_the_state_lives(kind, shared):
    state = make_state(AppConfig.model_validate({"bus": {"kind": kind, "redis_url": "redis://127.0.0.1:1/0"}}))
    assert isinstance(state, MemoryState) is not shared
    await state.close()  # a Redis state connects only when first used
