"""The web state in Redis, shared by every web process (``bus.kind = "redis"``).

Keys, under ``<bus.redis_prefix>:web``, each with a TTL so that nothing grows without bound:

* ``session:<nonce>``: the operator of a live session, until the cookie expires; a logout deletes it, so a
  cookie is good only while its key exists (in any process, and after a restart).
* ``limit:<name>:<client>``: a token bucket (tokens, time), gone once it would be full again.
* ``backoff:<account>``: failed logins in a row and the time before which no password is checked, gone
  ``max_s`` after that time.
* ``signing-key``: the cookie-signing key when ``web.session_secret_env`` names no secret, so that every
  process signs alike.

Buckets and back-offs change in Lua scripts (atomic in Redis) on Redis's own clock, so processes on hosts
whose clocks differ count alike. The ``redis`` package (extra ``[scale]``) is imported by :class:`Link` alone,
when one is made, so the service imports this module without it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from bosai.web.ratelimit import RateLimiter, whole_seconds
from bosai.web.session_store import StateUnavailable
from kernel.logs import get_logger

MAX_KNOWN: Final = 10_000  # session answers one process caches; a forgotten one is asked again

log = get_logger(__name__)

TIMEOUT_S: Final = 2.0  # connect and reply: a login is refused (503) rather than left hanging
RECHECK_S: Final = 5.0  # a running live stream learns of a logout elsewhere within about this

_NOW: Final = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "
# KEYS[1] the bucket; ARGV rate (tokens/s), capacity, cost. Returns the seconds to wait ("0": allowed).
_TAKE: Final = _NOW + """
local rate, capacity, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or capacity
tokens = math.min(capacity, tokens + math.max(0, now - (tonumber(b[2]) or now)) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""
# KEYS[1] the account; ARGV after, base_s, max_s. Counts a failure; returns the back-off it starts.
_FAIL: Final = _NOW + """
local after, base, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local wait = 0
if count >= after then
  wait = math.min(max, base * 2 ^ math.min(count - after, 30))
  redis.call('HSET', KEYS[1], 'until', tostring(now + wait))
end
redis.call('PEXPIRE', KEYS[1], math.ceil((wait + max) * 1000))
return tostring(wait)
"""
# KEYS[1] the account. Returns the seconds it must still wait (0 or less: none).
_WAIT: Final = _NOW + "return tostring((tonumber(redis.call('HGET', KEYS[1], 'until')) or 0) - now)"


T = TypeVar("T")
Script = Callable[..., Awaitable[Any]]  # redis.commands.core.AsyncScript: called with keys= and args=


class Link:
    """One Redis connection pool whose calls raise StateUnavailable when Redis is away; logs each change."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
        from redis.exceptions import RedisError

        self.redis: Any = aioredis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S,
                                            retry=Retry(NoBackoff(), 1))  # one retry: a pooled connection gone stale
        self._errors: type[Exception] = RedisError
        self.down = False

    async def call(self, what: str, reply: Awaitable[T]) -> T:
        """Await a Redis reply; StateUnavailable (naming ``what``) if Redis cannot be reached."""
        try:
            result = await reply
        except self._errors as err:
            if not self.down:
                self.down = True
                log.warning("web_state_unreachable", what=what, error=str(err),
                            note="logins and operator actions get 503; public limits count per process")
            raise StateUnavailable(f"Redis unreachable: cannot {what}") from err
        if self.down:
            self.down = False
            log.info("web_state_reachable")
        return result


class RedisSessions:
    """Sessions as keys in Redis, and what this process last learnt of them (for checks that cannot wait)."""

    def __init__(self, link: Link, prefix: str, *, recheck_s: float = RECHECK_S,
                 clock: Callable[[], float] = time.monotonic, max_known: int = MAX_KNOWN) -> None:
        self.link, self.redis, self.prefix = link, link.redis, prefix
        self.recheck_s, self.clock, self.max_known = recheck_s, clock, max_known
        self._known: dict[str, tuple[bool, float]] = {}  # nonce -> (alive, when learnt), oldest first
        self._checks: dict[str, asyncio.Task[bool]] = {}

    def _key(self, nonce: str) -> str:
        return f"{self.prefix}:{nonce}"

    def _learn(self, nonce: str, alive: bool) -> bool:
        self._known.pop(nonce, None)
        if len(self._known) >= self.max_known:
            for old in list(itertools.islice(self._known, self.max_known // 2)):
                del self._known[old]
        self._known[nonce] = (alive, self.clock())
        return alive

    async def start(self, nonce: str, username: str, ttl_s: int) -> None:
        """Store the session until its cookie expires."""
        await self.link.call("start a session", self.redis.set(self._key(nonce), username, ex=ttl_s))
        self._learn(nonce, True)

    async def alive(self, nonce: str) -> bool:
        """Whether the session's key still exists."""
        try:
            found = await self.link.call("check a session", self.redis.exists(self._key(nonce)))
        except StateUnavailable:
            self._learn(nonce, False)  # a stream's next check fails closed too
            raise
        return self._learn(nonce, bool(found))

    async def end(self, nonce: str) -> None:
        """Delete the session: its cookie is refused by every process from now on."""
        await self.link.call("log out", self.redis.delete(self._key(nonce)))
        self._learn(nonce, False)

    def known_alive(self, nonce: str) -> bool:
        """The last verdict (False if none); one older than ``recheck_s`` is checked again in the background."""
        known = self._known.get(nonce)
        if (known is None or self.clock() - known[1] >= self.recheck_s) and nonce not in self._checks:
            task = asyncio.get_running_loop().create_task(self._recheck(nonce))
            self._checks[nonce] = task
            task.add_done_callback(lambda _t: self._checks.pop(nonce, None))
        return known is not None and known[0]

    async def _recheck(self, nonce: str) -> bool:
        try:
            return await self.alive(nonce)
        except StateUnavailable:
            return False

    async def close(self) -> None:
        """Stop the background checks still running."""
        checks = list(self._checks.values())
        for task in checks:
            task.cancel()
        await asyncio.gather(*checks, return_exceptions=True)


class RedisLimiter:
    """A token bucket per key in Redis, shared by every process.

    ``strict``: while Redis is away, refuse (StateUnavailable; logins). Otherwise count in this process until it
    is back (public pages, webhooks: better N times the limit than no disaster information), saying so in the log.
    """

    def __init__(self, link: Link, script: Script, prefix: str, per_minute: float,
                 capacity: float | None = None, *, strict: bool = False) -> None:
        self._local = RateLimiter(per_minute, capacity)  # validates, and counts while Redis is away
        self.link, self._script, self.prefix, self.strict = link, script, prefix, strict

    async def retry_after(self, key: str, cost: float = 1.0) -> int:
        """Spend ``cost`` tokens of ``key``: 0 when allowed, else whole seconds to wait."""
        args = [self._local.rate, self._local.capacity, cost]
        try:
            wait = await self.link.call("count a rate limit", self._script(keys=[f"{self.prefix}:{key}"], args=args))
        except StateUnavailable:
            if self.strict:
                raise
            return await self._local.retry_after(key, cost)
        return whole_seconds(float(wait))


class RedisBackoff:
    """The per-account login back-off (``ratelimit.AccountBackoff``'s rule) in Redis, shared by every process."""

    def __init__(self, link: Link, prefix: str, after: int, *, base_s: float = 1.0, max_s: float = 900.0) -> None:
        self.link, self.redis, self.prefix = link, link.redis, prefix
        self.after, self.base_s, self.max_s = after, base_s, max_s
        self._fail, self._wait = self.redis.register_script(_FAIL), self.redis.register_script(_WAIT)

    def _key(self, account: str) -> str:
        return f"{self.prefix}:{account}"

    async def retry_after(self, account: str) -> int:
        """Whole seconds ``account`` must still wait before a password is checked (0: now)."""
        wait = await self.link.call("check a login back-off", self._wait(keys=[self._key(account)]))
        return whole_seconds(float(wait))

    async def failed(self, account: str) -> None:
        """Count a failed login; from the ``after``-th in a row the account waits."""
        args = [self.after, self.base_s, self.max_s]
        await self.link.call("count a failed login", self._fail(keys=[self._key(account)], args=args))

    async def succeeded(self, account: str) -> None:
        """Forget the account's failures."""
        await self.link.call("reset a login back-off", self.redis.delete(self._key(account)))


class RedisState:
    """Sessions, limiters and back-offs in one Redis, under ``prefix``."""

    def __init__(self, url: str, *, prefix: str = "bosai:web") -> None:
        self.link = Link(url)
        self.redis, self.prefix = self.link.redis, prefix
        self.sessions = RedisSessions(self.link, f"{prefix}:session")
        self._take = self.redis.register_script(_TAKE)

    def limiter(self, name: str, per_minute: float, capacity: float | None = None, *,
                strict: bool = False) -> RedisLimiter:
        """The limiter ``name``, shared by every process."""
        return RedisLimiter(self.link, self._take, f"{self.prefix}:limit:{name}", per_minute, capacity, strict=strict)

    def backoff(self, after: int, max_s: float) -> RedisBackoff:
        """The per-account login back-off, shared by every process."""
        return RedisBackoff(self.link, f"{self.prefix}:backoff", after, max_s=max_s)

    async def signing_key(self, candidate: str) -> str:
        """The key the processes share: the first process to start stores ``candidate``, the others read it."""
        key = f"{self.prefix}:signing-key"
        what = "share the cookie-signing key"
        await self.link.call(what, self.redis.set(key, candidate, nx=True))
        stored = await self.link.call(what, self.redis.get(key))
        return stored.decode() if isinstance(stored, bytes) else str(stored or candidate)

    async def close(self) -> None:
        """Stop the background checks and close the connection pool."""
        await self.sessions.close()
        await self.redis.aclose()
