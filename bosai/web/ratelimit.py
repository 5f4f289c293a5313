"""Token-bucket rate limits per client, for public endpoints and login attempts, caps on open streams, and the
back-off per operator account: the in-memory versions, for one web process (``bosai.web.session_redis`` has
the shared ones). The limits' checks are coroutines so that the shared versions can ask Redis."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 20_000  # buckets kept before full (idle) ones are forgotten


def whole_seconds(wait: float) -> int:
    """A wait rounded up to whole seconds for a Retry-After header; 0 when there is none."""
    return math.ceil(wait) if wait > 0 else 0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """``capacity`` requests at once, refilled at ``per_minute`` per minute, per key (client address)."""

    def __init__(self, per_minute: float, capacity: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(capacity if capacity is not None else per_minute)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens of ``key``; return 0 when allowed, else the seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / self.rate

    async def retry_after(self, key: str, cost: float = 1.0) -> int:
        """Like :meth:`take`, rounded up to whole seconds for a Retry-After header (0 = allowed)."""
        return whole_seconds(self.take(key, cost))

    def _forget_full(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.capacity]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= MAX_CLIENTS:  # everyone is busy: drop the oldest half
            for k in sorted(self._buckets, key=lambda k: self._buckets[k].at)[: MAX_CLIENTS // 2]:
                del self._buckets[k]


class ConcurrencyCap:
    """At most ``limit`` requests open at once per key (client address).

    A token bucket cannot bound long requests: one SSE stream is a single request held open for hours.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._open: dict[str, int] = {}

    def acquire(self, key: str) -> bool:
        """Count one more open request of ``key``; False, counting nothing, when it already holds ``limit``."""
        held = self._open.get(key, 0)
        if held >= self.limit:
            return False
        self._open[key] = held + 1
        return True

    def release(self, key: str) -> None:
        """End one open request of ``key``; keys holding none are forgotten, so the table stays small."""
        held = self._open.get(key, 0) - 1
        if held > 0:
            self._open[key] = held
        else:
            self._open.pop(key, None)


@dataclass(slots=True)
class _Failures:
    count: int
    until: float  # no attempt before this (monotonic seconds)


class AccountBackoff:
    """Exponential back-off per account name: after ``after`` failed logins in a row, each further failure
    makes the account wait ``base_s`` doubled per failure, up to ``max_s``; a success forgets the failures.

    The per-address limit alone lets many addresses guess one operator's password together. Kept in this
    process's memory: several web processes share one through Redis instead (``session_redis.RedisBackoff``).
    """

    def __init__(self, after: int = 5, *, base_s: float = 1.0, max_s: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.after, self.base_s, self.max_s = after, base_s, max_s
        self.clock = clock
        self._failures: dict[str, _Failures] = {}

    async def retry_after(self, account: str) -> int:
        """Whole seconds ``account`` must still wait before its next attempt (0: try now)."""
        entry = self._failures.get(account)
        return whole_seconds(entry.until - self.clock() if entry is not None else 0.0)

    async def failed(self, account: str) -> None:
        """Count a failed login of ``account`` (names that do not exist count too: existence is not told)."""
        entry = self._failures.get(account)
        if entry is None:
            if len(self._failures) >= MAX_CLIENTS:  # the oldest half: their back-offs have mostly run out
                for k in sorted(self._failures, key=lambda k: self._failures[k].until)[: MAX_CLIENTS // 2]:
                    del self._failures[k]
            entry = self._failures[account] = _Failures(0, 0.0)
        entry.count += 1
        if entry.count >= self.after:
            entry.until = self.clock() + min(self.max_s, self.base_s * 2 ** min(entry.count - self.after, 30))

    async def succeeded(self, account: str) -> None:
        """A correct password: the account starts afresh."""
        self._failures.pop(account, None)
