"""Retry policy and per-source health: backoff with full jitter, circuit breaker, state machine."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

log = logging.getLogger(__name__)

HealthState = Literal["pending", "ok", "degraded", "down", "open_circuit"]
DOWN_AFTER = 3  # consecutive failures after which a source is reported down rather than degraded


@dataclass
class Backoff:
    """Exponential backoff with full jitter and a cap; ``reset()`` after a success."""

    base_s: float = 1.0
    cap_s: float = 300.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        """The next delay: uniform in [0, min(cap, base * factor**attempt)]."""
        ceiling = min(self.cap_s, self.base_s * self.factor**self.attempt)
        self.attempt += 1
        return self.rng.uniform(0.0, ceiling)

    def reset(self) -> None:
        """Start again from the base delay."""
        self.attempt = 0


@dataclass
class CircuitBreaker:
    """Stops calling a source after ``failures`` consecutive faults, for ``reset_s`` seconds."""

    failures: int = 5
    reset_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    consecutive: int = 0
    opened_at: float | None = None

    def allow(self) -> bool:
        """True when a call may go through (closed, or half-open after the reset time)."""
        return self.opened_at is None or self.clock() - self.opened_at >= self.reset_s

    def remaining_s(self) -> float:
        """Seconds until the breaker lets a trial call through."""
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.reset_s - (self.clock() - self.opened_at))

    @property
    def is_open(self) -> bool:
        """True while calls are refused."""
        return not self.allow()

    def record_success(self) -> None:
        """Close the breaker."""
        self.consecutive = 0
        self.opened_at = None

    def record_failure(self) -> None:
        """Count a fault; open (or re-open after a failed trial) at the threshold."""
        self.consecutive += 1
        if self.consecutive >= self.failures:
            self.opened_at = self.clock()


@dataclass
class SourceHealth:
    """Health of one source as /healthz reports it; logs on state transitions only."""

    source: str
    breaker: CircuitBreaker
    state: HealthState = "pending"
    last_ok: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    items: int = 0

    def success(self, items: int = 0) -> None:
        """A fetch or connection worked."""
        self.breaker.record_success()
        self.consecutive_failures = 0
        self.items += items
        self.last_ok = datetime.now(UTC)
        self._move("ok")

    def count_item(self) -> None:
        """One more record delivered (streams count as they go)."""
        self.items += 1

    def failure(self, error: BaseException) -> None:
        """A fetch failed: count it and move to degraded, down or open_circuit."""
        self.breaker.record_failure()
        self.consecutive_failures += 1
        self.last_error = f"{type(error).__name__}: {error}"
        self.last_error_at = datetime.now(UTC)
        if self.breaker.is_open:
            self._move("open_circuit")
        elif self.consecutive_failures >= DOWN_AFTER:
            self._move("down")
        else:
            self._move("degraded")

    def _move(self, state: HealthState) -> None:
        if state == self.state:
            return
        previous, self.state = self.state, state
        if state == "ok" and previous != "pending":
            log.info("source_recovered source=%s previous=%s", self.source, previous)
        elif state == "ok":
            log.info("source_ok source=%s", self.source)
        else:
            log.warning(
                "source_health_changed source=%s state=%s previous=%s failures=%d error=%s",
                self.source, state, previous, self.consecutive_failures, self.last_error,
            )

    def as_dict(self) -> dict[str, Any]:
        """JSON-able view for /healthz."""
        return {
            "state": self.state,
            "last_ok": self.last_ok.isoformat() if self.last_ok else None,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
            "consecutive_failures": self.consecutive_failures,
            "items": self.items,
        }
