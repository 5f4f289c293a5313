"""A subscription's life: signed up (pending), confirmed by the owner of the address, ended, or expired.

Nothing is delivered to a pending subscription (double opt-in); one still pending after the confirmation
window is ended and its address forgotten, like an unsubscribed one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kernel.store import subscriptions as stored
from kernel.store.models import Subscription
from publish.catalog import LANGUAGES
from publish.channels.links import check_link_token, new_secret


def subscribe(session: Session, *, channel: str, target: str, language: str, areas: list[str],
              now: datetime, confirmed: bool = False) -> Subscription:
    """Add a subscription (areas are municipality codes; empty means all of Mie), pending unless ``confirmed``."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    if channel not in ("webhook", "email"):
        raise ValueError(f"unknown channel {channel!r}; expected webhook or email")
    return stored.add(session, Subscription(
        channel=channel, target=target, language=language, areas=[str(a) for a in areas], created_at=now,
        active=True, secret=new_secret(), confirmed_at=now if confirmed else None))


def pending_for(session: Session, channel: str, target: str, now: datetime, ttl: timedelta) -> Subscription | None:
    """A sign-up for this address still waiting for confirmation: a second one sends no second request."""
    return stored.pending_since(session, channel, target, now - ttl)


def confirm(session: Session, sub_id: int, token: str, now: datetime, ttl: timedelta) -> Subscription | None:
    """Confirm with the link token; the subscription, or None when unknown, ended, expired or the token is wrong.

    Confirming twice is harmless (the first time stays).
    """
    sub = stored.get(session, sub_id)
    if sub is None or not sub.active or not check_link_token(sub.secret, "confirm", sub_id, token):
        return None
    if sub.confirmed_at is None:
        if sub.created_at <= now - ttl:
            return None
        sub.confirmed_at = now
        session.flush()
    return sub


def end(sub: Subscription) -> None:
    """End a subscription and forget its address (its deliveries keep their rows)."""
    sub.active, sub.target = False, ""


def unsubscribe(session: Session, sub_id: int, token: str) -> bool:
    """End the subscription whose unsubscribe link token this is; False when unknown, ended or wrong."""
    sub = stored.get(session, sub_id)
    if sub is None or not sub.active or not check_link_token(sub.secret, "unsubscribe", sub_id, token):
        return False
    end(sub)
    session.flush()
    return True


def expire_pending(session: Session, now: datetime, ttl: timedelta) -> int:
    """End sign-ups never confirmed within ``ttl``; return how many."""
    return stored.end_unconfirmed(session, now - ttl)
