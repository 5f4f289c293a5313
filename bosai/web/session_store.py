"""Web state that several web processes must share: operator sessions and logouts, rate-limit buckets, and the
back-off per operator account.

:class:`MemoryState` keeps it in this process (one web process, the default). With ``bus.kind = "redis"``
:func:`make_state` returns ``bosai.web.session_redis.RedisState`` instead, so a logout, a limit or a back-off
holds in every web process and sessions outlive a restart. When Redis cannot be reached, whatever decides a
login or an operator's session raises :class:`StateUnavailable` (answered 503): it never falls back to one
process's memory, which would multiply the limits and revive logged-out cookies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, Protocol

from bosai.web.ratelimit import AccountBackoff, RateLimiter
from kernel.config import AppConfig
from kernel.errors import BosaiError

SESSION_TTL_S: Final = 12 * 3600  # a session cookie's life; a logged-out nonce need not be kept longer


class StateUnavailable(BosaiError):
    """The shared web state (Redis) cannot be reached: the request is refused rather than guessed."""


class Limiter(Protocol):
    """A token bucket per key (client address)."""

    async def retry_after(self, key: str, cost: float = 1.0) -> int:
        """Spend ``cost`` tokens of ``key``: 0 when allowed, else whole seconds to wait."""
        ...


class Backoff(Protocol):
    """Exponential back-off per operator account (``ratelimit.AccountBackoff`` tells the rule)."""

    async def retry_after(self, account: str) -> int:
        """Whole seconds ``account`` must still wait before a password is checked (0: now)."""
        ...

    async def failed(self, account: str) -> None:
        """Count a failed login of ``account``."""
        ...

    async def succeeded(self, account: str) -> None:
        """Forget the account's failures."""
        ...


class Sessions(Protocol):
    """Which signed session cookies are still good: the signature proves who; this says whether still."""

    async def start(self, nonce: str, username: str, ttl_s: int) -> None:
        """Record a new session (``nonce`` from its cookie) for ``ttl_s`` seconds."""
        ...

    async def alive(self, nonce: str) -> bool:
        """Whether the session is still on (not logged out), asking the authority."""
        ...

    async def end(self, nonce: str) -> None:
        """Log the session out everywhere."""
        ...

    def known_alive(self, nonce: str) -> bool:
        """What this process last learnt of :meth:`alive`, without waiting (for checks inside a running stream)."""
        ...


class SharedState(Protocol):
    """Sessions, limiters and back-offs of one kind, and the cookie-signing key they agree on."""

    sessions: Sessions

    def limiter(self, name: str, per_minute: float, capacity: float | None = None, *, strict: bool = False) -> Limiter:
        """A limiter named ``name``; ``strict``: refuse (StateUnavailable) rather than count locally meanwhile."""
        ...

    def backoff(self, after: int, max_s: float) -> Backoff:
        """The per-account login back-off."""
        ...

    async def signing_key(self, candidate: str) -> str:
        """The cookie-signing key when none is configured: ``candidate``, or the one the processes already share."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemorySessions:
    """Sessions of one process: every signed, unexpired cookie is good until it is logged out here."""

    def __init__(self, ttl_s: float = SESSION_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._revoked: dict[str, float] = {}  # logged-out nonce -> when, oldest first

    async def start(self, nonce: str, username: str, ttl_s: int) -> None:
        """Nothing to keep: the signed cookie carries the session."""

    async def alive(self, nonce: str) -> bool:
        """Whether the session was not logged out in this process."""
        return self.known_alive(nonce)

    async def end(self, nonce: str) -> None:
        """Remember the logged-out nonce until its cookie has expired for sure; forget the ones that have."""
        now = self.clock()
        while self._revoked and next(iter(self._revoked.values())) < now - self.ttl_s:
            del self._revoked[next(iter(self._revoked))]
        self._revoked[nonce] = now

    def known_alive(self, nonce: str) -> bool:
        """Whether the session was not logged out in this process."""
        return nonce not in self._revoked


class MemoryState:
    """Everything in this process's memory: right for one web process (N processes: N times the limits)."""

    def __init__(self) -> None:
        self.sessions = MemorySessions()

    def limiter(self, name: str, per_minute: float, capacity: float | None = None, *, strict: bool = False) -> Limiter:
        """A token bucket in memory (``name`` and ``strict`` matter only when shared)."""
        return RateLimiter(per_minute, capacity)

    def backoff(self, after: int, max_s: float) -> AccountBackoff:
        """The per-account back-off, in memory."""
        return AccountBackoff(after, max_s=max_s)

    async def signing_key(self, candidate: str) -> str:
        """This process alone signs and reads its cookies: its own random key will do."""
        return candidate

    async def close(self) -> None:
        """Nothing to release."""


def make_state(config: AppConfig) -> SharedState:
    """The state the config asks for: in Redis with the Redis bus (``[bus]``), else in this process."""
    if config.bus.kind != "redis":
        return MemoryState()
    from kernel.extras import require

    require("scale", 'bus.kind = "redis"', ("redis",))
    from bosai.web.session_redis import RedisState

    return RedisState(config.bus.redis_url, prefix=f"{config.bus.redis_prefix}:web")
