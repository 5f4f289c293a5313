"""Deliveries in the store: who is subscribed, which deliveries are settled, claiming and recording sends.

The ``deliveries`` row (unique on alert + subscription) is claimed (pending -> sending) before sending, so a
retry or a second worker never sends the same alert to the same subscriber twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kernel.store.models import Delivery, Subscription


@dataclass(frozen=True, slots=True)
class Subscriber:
    """An active, confirmed subscription, as delivery needs it."""

    id: int
    channel: str  # webhook, email
    target: str  # URL or e-mail address
    language: str
    areas: tuple[str, ...]  # municipality codes; empty: the whole prefecture
    secret: str
    created_at: datetime


def subscribers(session: Session, channels: frozenset[str] | None = None) -> list[Subscriber]:
    """Active subscriptions their owner confirmed (never a sign-up not yet confirmed: double opt-in)."""
    stmt = select(Subscription).where(Subscription.active.is_(True), Subscription.confirmed_at.is_not(None))
    if channels is not None:
        stmt = stmt.where(Subscription.channel.in_(channels))
    return [Subscriber(s.id, s.channel, s.target, s.language, tuple(str(a) for a in s.areas or ()), s.secret or "",
                       s.created_at) for s in session.scalars(stmt)]


def settled(session: Session, alert_ids: list[str], stale_before: datetime) -> set[tuple[str, int]]:
    """(alert id, subscription id) of the deliveries done (sent, failed) or being sent since ``stale_before``."""
    rows = session.execute(select(Delivery.alert_id, Delivery.subscription_id, Delivery.status, Delivery.updated_at)
                           .where(Delivery.alert_id.in_(alert_ids)))
    return {(r.alert_id, r.subscription_id) for r in rows
            if r.status in ("sent", "failed") or (r.status == "sending" and r.updated_at >= stale_before)}


def claim(session: Session, alert_id: str, subscription_ids: list[int], now: datetime,
          stale_before: datetime) -> list[tuple[int, int]]:
    """Create pending deliveries of an alert for these subscriptions, then claim (pending -> sending) those still
    to send, and those left ``sending`` before ``stale_before`` by a crash: (delivery id, subscription id)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for sub_id in subscription_ids:
        session.execute(insert(Delivery).values(alert_id=alert_id, subscription_id=sub_id, status="pending",
                                                attempts=0, updated_at=now)
                        .on_conflict_do_nothing(index_elements=["alert_id", "subscription_id"]))
    wanted = set(subscription_ids)
    # On PostgreSQL the rows stay locked until the caller commits the state change below, and rows another
    # dispatcher holds are skipped: two workers never both see one row pending (SQLite has one writer anyway).
    rows = session.scalars(select(Delivery).where(
        Delivery.alert_id == alert_id,
        (Delivery.status == "pending") | ((Delivery.status == "sending") & (Delivery.updated_at < stale_before)))
        .with_for_update(skip_locked=True))
    claimed = []
    for d in rows:
        if d.subscription_id in wanted:
            d.status, d.updated_at = "sending", now  # another dispatcher now skips it
            claimed.append((d.id, d.subscription_id))
    session.flush()
    return claimed


def record(session: Session, delivery_id: int, *, ok: bool, attempts: int, error: str | None,
           now: datetime) -> None:
    """Store the outcome of a delivery."""
    row = session.get(Delivery, delivery_id)
    if row is not None:
        row.status, row.attempts, row.last_error, row.updated_at = ("sent" if ok else "failed"), attempts, error, now
        session.flush()
