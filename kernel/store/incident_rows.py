"""Incident rows as the grouping and triage decisions (publish.incidents, publish.triage) change them: the
statements that find, lock, add and audit incidents and move posts between them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from kernel.store.incidents import OPEN_STATUSES
from kernel.store.models import IncidentEvent, IncidentRow, PostJudgement, PostRow

# Built once: composing these statements per post cost more than running them.
_BBOX = (bindparam("lat0"), bindparam("lat1"), bindparam("lng0"), bindparam("lng1"))
# Not DISTINCT: the caller stops at the first row within Hamming distance, and DISTINCT would make the database
# gather every copy in the window first (hundreds for a much-copied post) before handing out one.
_NEAR_COPIES = (
    select(PostRow.simhash, PostRow.incident_id)
    .where(or_(PostRow.simhash_b0 == bindparam("b0"), PostRow.simhash_b1 == bindparam("b1"),
               PostRow.simhash_b2 == bindparam("b2"), PostRow.simhash_b3 == bindparam("b3")),
           PostRow.incident_id.is_not(None), PostRow.simhash.is_not(None), PostRow.id != bindparam("post_id"),
           PostRow.observed_at.between(bindparam("t0"), bindparam("t1")),
           PostRow.lat.between(_BBOX[0], _BBOX[1]), PostRow.lng.between(_BBOX[2], _BBOX[3])))
# FOR UPDATE: with several workers on PostgreSQL, two posts updating one incident must not lose a count.
_OPEN_NEARBY = select(IncidentRow).with_for_update().where(
    IncidentRow.hazard.in_(bindparam("hazards", expanding=True)), IncidentRow.status.in_(OPEN_STATUSES),
    IncidentRow.merged_into.is_(None),
    IncidentRow.last_seen >= bindparam("t0"), IncidentRow.first_seen <= bindparam("t1"),
    IncidentRow.lat.between(_BBOX[0], _BBOX[1]), IncidentRow.lng.between(_BBOX[2], _BBOX[3]))


def get(session: Session, incident_id: int, *, lock: bool = False) -> IncidentRow | None:
    """The row of an incident; ``lock``: FOR UPDATE, held until the transaction commits."""
    return session.get(IncidentRow, incident_id, with_for_update=lock)


def near_copies(session: Session, bands: tuple[int, int, int, int], post_id: int,
                area: dict[str, Any]) -> Iterable[tuple[int, int]]:
    """(SimHash, incident id) of attached posts sharing a band with ``bands`` inside ``area`` (the bind values
    lat0, lat1, lng0, lng1, t0, t1), other than post ``post_id``; plain Core rows, in no order."""
    b0, b1, b2, b3 = bands
    params = {"b0": b0, "b1": b1, "b2": b2, "b3": b3, "post_id": post_id, **area}
    return session.connection().execute(_NEAR_COPIES, params)


def open_nearby(session: Session, hazards: tuple[str, ...], area: dict[str, Any]) -> list[IncidentRow]:
    """Open, unmerged incidents of these hazards active inside ``area`` (see near_copies), locked."""
    return list(session.scalars(_OPEN_NEARBY, {"hazards": list(hazards), **area}))


def post_texts(session: Session, incident_ids: list[int]) -> list[tuple[str, int, list[Any]]]:
    """(text, incident id, places) of the posts of these incidents."""
    stmt = select(PostRow.text, PostRow.incident_id, PostRow.places).where(PostRow.incident_id.in_(incident_ids))
    return [(text, incident_id, places) for text, incident_id, places in session.execute(stmt)]


def posts_of(session: Session, incident_id: int) -> list[PostRow]:
    """The posts of an incident, oldest first."""
    return list(session.scalars(select(PostRow).where(PostRow.incident_id == incident_id)
                                .order_by(PostRow.observed_at, PostRow.id)))


def add(session: Session, incident: IncidentRow) -> IncidentRow:
    """Store a new incident (flushed, for its id)."""
    session.add(incident)
    session.flush()
    return incident


def add_event(session: Session, incident_id: int, at: datetime, actor: str, action: str, reason: str) -> None:
    """Append to an incident's audit log: who did what, when and why."""
    session.add(IncidentEvent(incident_id=incident_id, at=at, actor=actor, action=action, reason=reason))


def move_posts(session: Session, to_incident: int, *, from_incident: int | None = None,
               post_ids: list[int] | None = None) -> None:
    """Move the posts of ``from_incident``, or the posts ``post_ids``, into ``to_incident``."""
    stmt = update(PostRow).values(incident_id=to_incident)
    if from_incident is not None:
        stmt = stmt.where(PostRow.incident_id == from_incident)
    if post_ids is not None:
        stmt = stmt.where(PostRow.id.in_(post_ids))
    session.execute(stmt)


def withdraw_judgements(session: Session, incident_id: int, label: str) -> None:
    """Delete the operators' verdicts ``label`` on the posts of an incident (a decision taken back)."""
    session.execute(delete(PostJudgement).where(PostJudgement.incident_id == incident_id,
                                                PostJudgement.label == label))
