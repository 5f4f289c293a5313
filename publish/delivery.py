"""Deliver alerts to subscribers by area and language, with retries and at most one send per pair.

The ``deliveries`` row (unique on alert + subscription) is claimed (pending -> sending) before sending,
so a retry or a second worker never sends the same alert to the same subscriber twice; a claim left by a
crash is taken again after CLAIM_TIMEOUT (at-least-once across crashes, at-most-once otherwise).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from kernel.errors import DeliveryError
from kernel.store import Store, deliveries
from kernel.store import alerts as stored_alerts
from publish import areas as mie
from publish.channels import Channel, Target
from publish.messages import RenderedAlert, render_alert
from publish.subscriptions import subscribe

__all__ = ["CLAIM_TIMEOUT", "DispatchResult", "RetryPolicy", "claim", "dispatch", "subscribe"]

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=10)  # a "sending" row older than this was left by a crash: send again


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a delivery is retried (exponential backoff)."""

    attempts: int = 4
    base_delay_s: float = 2.0
    max_delay_s: float = 120.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """What one dispatch did."""

    sent: int
    failed: int
    skipped: int


def claim(session: Session, alert_id: str, now: datetime) -> list[tuple[int, Target]]:
    """Create pending deliveries for matching subscribers; return (delivery id, target) still to send."""
    alert = stored_alerts.alert(session, alert_id)
    if alert is None:
        raise ValueError(f"alert {alert_id} does not exist")
    subs = {s.id: s for s in deliveries.subscribers(session) if mie.overlaps(alert.area_codes, list(s.areas))}
    claimed = deliveries.claim(session, alert_id, list(subs), now, now - CLAIM_TIMEOUT)
    return [(delivery_id, Target(sub_id, subs[sub_id].channel, subs[sub_id].target, subs[sub_id].language,
                                 subs[sub_id].secret)) for delivery_id, sub_id in claimed]


async def _send(channel: Channel, rendered: RenderedAlert, target: Target,
                policy: RetryPolicy) -> tuple[bool, int, str | None]:
    error = None
    for attempt in range(1, policy.attempts + 1):
        try:
            await channel.deliver(rendered, target)
            return True, attempt, None
        except DeliveryError as err:
            error = str(err)
            log.warning("delivery_failed channel=%s subscription=%s attempt=%d error=%s", channel.name,
                        target.subscription_id, attempt, error)
            if attempt < policy.attempts:
                await asyncio.sleep(policy.delay(attempt))
    return False, policy.attempts, error


async def dispatch(store: Store, alert_id: str, channels: Mapping[str, Channel], *,
                   policy: RetryPolicy | None = None, concurrency: int = 16) -> DispatchResult:
    """Send one alert to every matching subscriber through its channel (``concurrency`` at a time),
    retrying each with backoff; a subscriber already served is never sent the alert again."""
    policy = policy or RetryPolicy()
    pending = await store.write(lambda s: claim(s, alert_id, datetime.now(UTC)))
    if not pending:
        return DispatchResult(0, 0, 0)
    alert = await store.read(lambda s: stored_alerts.alert(s, alert_id))
    assert alert is not None, "a claimed alert exists"
    rendered = {lang: render_alert(alert, lang) for lang in {t.language for _, t in pending}}
    gate = asyncio.Semaphore(concurrency)

    async def _one(delivery_id: int, target: Target) -> bool | None:
        channel = channels.get(target.channel)
        if channel is None:
            log.warning("delivery_skipped reason=no-channel channel=%s", target.channel)
            return None
        async with gate:
            ok, attempts, error = await _send(channel, rendered[target.language], target, policy)
        await store.write(lambda s: deliveries.record(s, delivery_id, ok=ok, attempts=attempts, error=error,
                                                      now=datetime.now(UTC)))
        return ok

    outcomes = await asyncio.gather(*(_one(d, t) for d, t in pending))
    sent = sum(o is True for o in outcomes)
    failed = sum(o is False for o in outcomes)
    skipped = sum(o is None for o in outcomes)
    log.info("alert_dispatched id=%s sent=%d failed=%d skipped=%d", alert_id, sent, failed, skipped)
    return DispatchResult(sent, failed, skipped)
