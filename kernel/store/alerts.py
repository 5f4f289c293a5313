"""Alerts in the store: the "in force" condition and the reads behind the feeds, CAP files and pages."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from kernel.published import Alert
from kernel.store.models import AlertRow
from kernel.store.snapshots import alert_record

MAX_ROWS: Final = 1000


def in_force(at: datetime) -> ColumnElement[bool]:
    """SQL condition of an alert in force at ``at``: not ended by a later one, not a Cancel, not expired."""
    return and_(AlertRow.ended_at.is_(None), AlertRow.msg_type != "Cancel",
                or_(AlertRow.expires.is_(None), AlertRow.expires > at))


def alert(session: Session, alert_id: str) -> Alert | None:
    """One alert by id."""
    row = session.get(AlertRow, alert_id)
    return None if row is None else alert_record(row)


def alerts(session: Session) -> list[Alert]:
    """Every alert, in force or past (the archive), newest first (at most MAX_ROWS)."""
    stmt = select(AlertRow).order_by(AlertRow.sent.desc(), AlertRow.id).limit(MAX_ROWS)
    return [alert_record(row) for row in session.scalars(stmt)]


def active_alerts(session: Session, now: datetime) -> list[Alert]:
    """Alerts in force at ``now``, newest first (at most MAX_ROWS)."""
    stmt = select(AlertRow).where(in_force(now)).order_by(AlertRow.sent.desc(), AlertRow.id).limit(MAX_ROWS)
    return [alert_record(row) for row in session.scalars(stmt)]


def alerts_since(session: Session, since: datetime, limit: int) -> list[Alert]:
    """The newest ``limit`` alerts sent at or after ``since``, newest first."""
    stmt = select(AlertRow).where(AlertRow.sent >= since).order_by(AlertRow.sent.desc()).limit(limit)
    return [alert_record(row) for row in session.scalars(stmt)]


def row(session: Session, alert_id: str) -> AlertRow | None:
    """The stored row of an alert, for the lifecycle that may end it (None: no such alert yet)."""
    return session.get(AlertRow, alert_id)


def active_in_family(session: Session, family: str, at: datetime) -> list[AlertRow]:
    """Rows of the alerts of one family in force at ``at``, oldest first."""
    stmt = select(AlertRow).where(AlertRow.family == family, in_force(at))
    return list(session.scalars(stmt.order_by(AlertRow.sent, AlertRow.id)))


def unended(session: Session, source: str) -> list[AlertRow]:
    """Rows of the alerts from ``source`` neither ended nor cancelled (their expiry aside)."""
    stmt = select(AlertRow).where(AlertRow.source == source, AlertRow.ended_at.is_(None), AlertRow.msg_type != "Cancel")
    return list(session.scalars(stmt))


def add(session: Session, alert: AlertRow) -> AlertRow:
    """Store a new alert (flushed: later reads in the transaction see it)."""
    session.add(alert)
    session.flush()
    return alert
