"""Incidents and posts in the store: the reads behind the map, the API and the triage queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from kernel.published import Incident, MapPost
from kernel.store.models import IncidentEvent, IncidentRow, PostRow
from kernel.store.snapshots import incident_record, post_record

MAX_ROWS: Final = 1000
OPEN_STATUSES: Final = ("unverified", "confirmed")
# How fast a hazard needs a human, within one severity: people in danger before damage to things. The queue
# orders by severity, then this, then latest activity (issue 19 §2: level-4 rescues sat among outages).
URGENCY: Final = {"casualty_rescue": 9, "tsunami": 8, "fire": 7, "landslide": 6, "flood": 5, "earthquake": 4,
                  "evacuation_shelter": 3, "road_blocked": 2, "other_damage": 1, "power_water_outage": 1}
QUEUE_STATUSES: Final = {"unverified": ("unverified",), "dismissed": ("dismissed",), "open": OPEN_STATUSES}


@dataclass(frozen=True, slots=True)
class Filters:
    """Filters of the map layers: hazard (a category), municipality (name or JIS code), since (aware time)."""

    hazard: str | None = None
    municipality: str | None = None
    since: datetime | None = None
    limit: int = 500


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the triage queue: its incidents, how many match in all, and which of them are stale."""

    rows: list[Incident]
    total: int
    stale: set[int]


def _municipality_clause(column_name: Any, column_code: Any, value: str) -> Any:
    return column_code.startswith(value) if value.isdigit() else column_name == value


def _filtered(stmt: Select[Any], f: Filters) -> Select[Any]:
    """``stmt`` on incidents narrowed by the map filters."""
    if f.hazard:
        stmt = stmt.where(IncidentRow.hazard == f.hazard)
    if f.municipality:
        stmt = stmt.where(_municipality_clause(IncidentRow.municipality, IncidentRow.municipality_code, f.municipality))
    if f.since:
        stmt = stmt.where(IncidentRow.last_seen >= f.since)
    return stmt


def incident(session: Session, incident_id: int) -> Incident | None:
    """One incident by id."""
    row = session.get(IncidentRow, incident_id)
    return None if row is None else incident_record(row)


def incidents(session: Session, f: Filters, statuses: tuple[str, ...] = ()) -> list[Incident]:
    """Incidents not merged into another, newest activity first."""
    stmt = select(IncidentRow).where(IncidentRow.merged_into.is_(None))
    if statuses:
        stmt = stmt.where(IncidentRow.status.in_(statuses))
    stmt = _filtered(stmt, f).order_by(IncidentRow.last_seen.desc()).limit(min(f.limit, MAX_ROWS))
    return [incident_record(row) for row in session.scalars(stmt)]


def open_incidents(session: Session) -> list[Incident]:
    """Every open (unverified or confirmed) incident not merged into another (the static map)."""
    stmt = select(IncidentRow).where(IncidentRow.status.in_(OPEN_STATUSES), IncidentRow.merged_into.is_(None))
    return [incident_record(row) for row in session.scalars(stmt)]


def is_stale(incident: Incident, before: datetime) -> bool:
    """Whether an unverified incident has been quiet since ``before`` (greyed in the queue, never hidden)."""
    return incident.status == "unverified" and incident.last_seen < before


def triage_queue(session: Session, f: Filters, stale_before: datetime, *, statuses: tuple[str, ...] = ("unverified",),
                 offset: int = 0, text: str | None = None) -> QueuePage:
    """The triage queue: severity, then urgency, then latest activity; stale (quiet since ``stale_before``) last.

    Stale incidents stay in the queue, greyed, so nothing disappears silently; they just stop crowding out
    what is happening now. ``total`` counts every match so the page can say how many are not shown.
    """
    urgency = case(URGENCY, value=IncidentRow.hazard, else_=0)
    stale = case((IncidentRow.last_seen < stale_before, 1), else_=0)
    stmt = _filtered(select(IncidentRow).where(IncidentRow.merged_into.is_(None), IncidentRow.status.in_(statuses)), f)
    if text and text.lstrip("#").isdigit():  # an incident number, as the cards show it
        stmt = stmt.where(IncidentRow.id == int(text.lstrip("#")))
    elif text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(IncidentRow.title.like(like), IncidentRow.place_name.like(like),
                              IncidentRow.municipality.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordered = stmt.order_by(stale, IncidentRow.severity.desc(), urgency.desc(), IncidentRow.last_seen.desc(),
                            IncidentRow.id.desc())
    rows = [incident_record(row) for row in session.scalars(ordered.offset(offset).limit(min(f.limit, MAX_ROWS)))]
    return QueuePage(rows, int(total), {r.id for r in rows if is_stale(r, stale_before)})


def incident_scores(session: Session, incident_ids: list[int]) -> dict[int, float]:
    """The AI's highest confidence among each incident's posts (what made it an incident)."""
    if not incident_ids:
        return {}
    stmt = (select(PostRow.incident_id, func.max(PostRow.score)).where(PostRow.incident_id.in_(incident_ids))
            .group_by(PostRow.incident_id))
    return {int(i): float(s) for i, s in session.execute(stmt) if i is not None and s is not None}


def incident_events(session: Session, incident_id: int) -> list[dict[str, str]]:
    """An incident's audit trail, oldest first: who did what, when and why."""
    trail = session.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
                            .order_by(IncidentEvent.at, IncidentEvent.id))
    return [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "reason": e.reason} for e in trail]


def flagged_posts(session: Session, f: Filters) -> list[MapPost]:
    """Posts the classifier flagged as disaster reports and the geocoder placed, newest first."""
    stmt = select(PostRow).where(PostRow.label == "disaster", PostRow.lat.is_not(None))
    if f.municipality:
        stmt = stmt.where(_municipality_clause(PostRow.municipality, PostRow.municipality_code, f.municipality))
    if f.since:
        stmt = stmt.where(PostRow.observed_at >= f.since)
    stmt = stmt.order_by(PostRow.observed_at.desc())
    if not f.hazard:
        return [post_record(p) for p in session.scalars(stmt.limit(min(f.limit, MAX_ROWS)))]
    rows = [p for p in session.scalars(stmt.limit(MAX_ROWS * 5))
            if any(c and c[0] == f.hazard for c in (p.categories or []))]
    return [post_record(p) for p in rows[: f.limit]]


def incident_posts(session: Session, incident_ids: list[int], per_incident: int = 3) -> dict[int, list[MapPost]]:
    """A few newest posts of each incident (for the triage panel)."""
    out: dict[int, list[MapPost]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return out
    stmt = select(PostRow).where(PostRow.incident_id.in_(incident_ids)).order_by(PostRow.observed_at.desc())
    for row in session.scalars(stmt.limit(MAX_ROWS)):
        bucket = out.get(row.incident_id or 0)
        if bucket is not None and len(bucket) < per_incident:
            bucket.append(post_record(row))
    return out
