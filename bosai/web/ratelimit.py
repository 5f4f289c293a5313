"""Token-bucket rate limits per client, for public endpoints and login attempts, and caps on open streams."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 20_000  # buckets kept before full (idle) ones are forgotten


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

    def retry_after(self, key: str, cost: float = 1.0) -> int:
        """Like :meth:`take`, rounded up to whole seconds for a Retry-After header (0 = allowed)."""
        wait = self.take(key, cost)
        return math.ceil(wait) if wait > 0 else 0

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
