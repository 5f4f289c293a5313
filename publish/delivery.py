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

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kernel.errors import DeliveryError
from kernel.store import Store
from kernel.store.models import AlertRow, Delivery, Subscription
from publish import areas as mie
from publish.channels import Channel, Target
from publish.messages import RenderedAlert, render_alert
from publish.subscriptions import subscribe

__all__ = ["CLAIM_TIMEOUT", "DispatchResult", "RetryPolicy", "claim", "dispatch", "record", "subscribe"]

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
    alert = session.get(AlertRow, alert_id)
    if alert is None:
        raise ValueError(f"alert {alert_id} does not exist")
    codes = [str(a.get("code") or "") for a in alert.areas]
    subs = [s for s in session.scalars(select(Subscription).where(Subscription.active.is_(True),
                                                                  Subscription.confirmed_at.is_not(None)))
            if mie.overlaps(codes, s.areas or [])]  # never to a sign-up not yet confirmed (double opt-in)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for sub in subs:
        session.execute(insert(Delivery).values(alert_id=alert_id, subscription_id=sub.id, status="pending",
                                                attempts=0, updated_at=now)
                        .on_conflict_do_nothing(index_elements=["alert_id", "subscription_id"]))
    by_id = {s.id: s for s in subs}
    stale = now - CLAIM_TIMEOUT
    # On PostgreSQL the rows stay locked until the caller commits the state change below, and rows another
    # dispatcher holds are skipped: two workers never both see one row pending (SQLite has one writer anyway).
    rows = session.scalars(select(Delivery).where(
        Delivery.alert_id == alert_id,
        (Delivery.status == "pending") | ((Delivery.status == "sending") & (Delivery.updated_at < stale)))
        .with_for_update(skip_locked=True))
    claimed = []
    for d in rows:
        if d.subscription_id in by_id:
            d.status, d.updated_at = "sending", now  # another dispatcher now skips it
            sub = by_id[d.subscription_id]
            claimed.append((d.id, Target(sub.id, sub.channel, sub.target, sub.language, sub.secret or "")))
    session.flush()
    return claimed


def record(session: Session, delivery_id: int, *, ok: bool, attempts: int, error: str | None,
           now: datetime) -> None:
    """Store the outcome of a delivery."""
    row = session.get(Delivery, delivery_id)
    if row is not None:
        row.status, row.attempts, row.last_error, row.updated_at = ("sent" if ok else "failed"), attempts, error, now
        session.flush()


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
    alert = await store.read(lambda s: s.get(AlertRow, alert_id))
    rendered = {lang: render_alert(alert, lang) for lang in {t.language for _, t in pending}}
    gate = asyncio.Semaphore(concurrency)

    async def _one(delivery_id: int, target: Target) -> bool | None:
        channel = channels.get(target.channel)
        if channel is None:
            log.warning("delivery_skipped reason=no-channel channel=%s", target.channel)
            return None
        async with gate:
            ok, attempts, error = await _send(channel, rendered[target.language], target, policy)
        await store.write(lambda s: record(s, delivery_id, ok=ok, attempts=attempts, error=error,
                                           now=datetime.now(UTC)))
        return ok

    outcomes = await asyncio.gather(*(_one(d, t) for d, t in pending))
    sent = sum(o is True for o in outcomes)
    failed = sum(o is False for o in outcomes)
    skipped = sum(o is None for o in outcomes)
    log.info("alert_dispatched id=%s sent=%d failed=%d skipped=%d", alert_id, sent, failed, skipped)
    return DispatchResult(sent, failed, skipped)
