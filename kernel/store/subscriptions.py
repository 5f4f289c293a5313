"""Subscriptions in the store: the statements behind signing up, confirming, ending and expiring them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kernel.store.models import Subscription


def get(session: Session, sub_id: int) -> Subscription | None:
    """The row of a subscription."""
    return session.get(Subscription, sub_id)


def add(session: Session, sub: Subscription) -> Subscription:
    """Store a new subscription (flushed, for its id)."""
    session.add(sub)
    session.flush()
    return sub


def pending_since(session: Session, channel: str, target: str, since: datetime) -> Subscription | None:
    """An active sign-up for this address made after ``since`` and not confirmed yet."""
    return session.scalars(select(Subscription).where(
        Subscription.channel == channel, Subscription.target == target, Subscription.active.is_(True),
        Subscription.confirmed_at.is_(None), Subscription.created_at > since).limit(1)).first()


def end_unconfirmed(session: Session, created_before: datetime) -> int:
    """End the sign-ups made at or before ``created_before`` and never confirmed, forgetting their addresses;
    return how many."""
    result = session.execute(update(Subscription).where(
        Subscription.active.is_(True), Subscription.confirmed_at.is_(None),
        Subscription.created_at <= created_before).values(active=False, target=""))
    return int(getattr(result, "rowcount", 0) or 0)
