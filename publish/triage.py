"""Operator decisions on incidents, each written to the audit log (who, when, why).

Lifecycle: unverified -> confirmed | dismissed; confirmed -> resolved; dismissed -> unverified (reopen);
unverified | confirmed -> merged into another open incident. Only confirm() creates a resident alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import update
from sqlalchemy.orm import Session

from bosai.store.labels import record_judgements
from bosai.store.models import Incident, IncidentEvent, PostRow
from publish.alerts import alert_from_incident

ALLOWED: Final = {
    "confirmed": ("unverified",),
    "dismissed": ("unverified",),
    "resolved": ("confirmed",),
    "unverified": ("dismissed",),
    "merged": ("unverified", "confirmed"),
}
ACTIONS: Final = {"confirmed": "confirmed", "dismissed": "dismissed", "resolved": "resolved",
                  "unverified": "reopened", "merged": "merged"}


class IncidentNotFound(ValueError):
    """No incident has the given id."""


def _get(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentNotFound(f"incident {incident_id} does not exist")
    return incident


def _check_actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor or actor == "system":
        raise ValueError("an operator name is required for triage actions")
    return actor


def _transition(session: Session, incident_id: int, target: str, actor: str, reason: str) -> Incident:
    actor = _check_actor(actor)
    incident = _get(session, incident_id)
    if incident.status not in ALLOWED[target]:
        raise ValueError(f"incident {incident_id} is {incident.status}; cannot go to {target} "
                         f"(allowed from: {', '.join(ALLOWED[target])})")
    now = datetime.now(UTC)
    incident.status = target
    incident.updated_at = now
    session.add(IncidentEvent(incident_id=incident.id, at=now, actor=actor, action=ACTIONS[target],
                              reason=reason or ""))
    session.flush()
    return incident


def confirm(session: Session, incident_id: int, actor: str, reason: str = "", judged: Iterable[int] = ()) -> Incident:
    """Confirm an unverified incident and create its resident alert.

    ``judged``: the posts the operator read and vouched for; only they become ``disaster`` training labels.
    """
    incident = _transition(session, incident_id, "confirmed", actor, reason)
    record_judgements(session, incident_id, judged, "disaster", [incident.hazard], actor.strip())
    alert_from_incident(session, incident, actor)
    return incident


def dismiss(session: Session, incident_id: int, actor: str, reason: str = "", judged: Iterable[int] = ()) -> Incident:
    """Dismiss an unverified incident as false, irrelevant or a joke; nothing reaches residents.

    ``judged``: the posts the operator read; only they become ``other`` training labels.
    """
    incident = _transition(session, incident_id, "dismissed", actor, reason)
    record_judgements(session, incident_id, judged, "other", [], actor.strip())
    return incident


def resolve(session: Session, incident_id: int, actor: str, reason: str = "") -> Incident:
    """Close a confirmed incident that is over."""
    return _transition(session, incident_id, "resolved", actor, reason)


def reopen(session: Session, incident_id: int, actor: str, reason: str = "") -> Incident:
    """Bring a dismissed incident back to the triage queue."""
    return _transition(session, incident_id, "unverified", actor, reason)


def merge(session: Session, incident_id: int, into_id: int, actor: str, reason: str = "") -> Incident:
    """Move an incident's posts and counts into another open incident; return the one kept."""
    if incident_id == into_id:
        raise ValueError(f"cannot merge incident {incident_id} into itself")
    into = _get(session, into_id)
    if into.status not in ("unverified", "confirmed") or into.merged_into is not None:
        raise ValueError(f"incident {into_id} is {into.status}; merge only into an open incident")
    source = _transition(session, incident_id, "merged", actor, reason or f"merged into {into_id}")
    source.merged_into = into.id
    session.execute(update(PostRow).where(PostRow.incident_id == source.id).values(incident_id=into.id))
    into.post_count += source.post_count
    into.duplicate_count += source.duplicate_count
    into.corroborated_by = [*into.corroborated_by, *(c for c in source.corroborated_by
                                                     if c not in into.corroborated_by)]
    into.first_seen = min(into.first_seen, source.first_seen)
    into.last_seen = max(into.last_seen, source.last_seen)
    into.severity = max(into.severity, source.severity)
    into.updated_at = source.updated_at
    session.add(IncidentEvent(incident_id=into.id, at=source.updated_at, actor=actor.strip(),
                              action="merged", reason=f"absorbed incident {source.id}: {reason}".rstrip(": ")))
    session.flush()
    return into
