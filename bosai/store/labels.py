"""Operators' triage decisions read back as labelled posts for retraining."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bosai.store.models import Incident, PostRow

DECISIONS = {"confirmed": "confirm", "resolved": "confirm", "dismissed": "dismiss"}


def decision_rows(session: Session) -> list[dict[str, Any]]:
    """One row per post of a confirmed, resolved or dismissed incident: text, decision, hazard categories."""
    stmt = (
        select(PostRow.text, PostRow.categories, Incident.status, Incident.hazard, Incident.id)
        .join(Incident, PostRow.incident_id == Incident.id)
        .where(Incident.status.in_(list(DECISIONS)))
        .order_by(PostRow.id)
    )
    rows = []
    for text, categories, status, hazard, incident_id in session.execute(stmt):
        cats = sorted({hazard, *(name for name, _score in categories or [])})
        rows.append({"text": text, "decision": DECISIONS[status], "categories": cats, "incident_id": incident_id})
    return rows
