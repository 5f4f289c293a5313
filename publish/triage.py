"""Operator decisions on incidents, each written to the audit log (who, when, why).

Lifecycle: unverified -> confirmed | dismissed; confirmed -> resolved; dismissed -> unverified (reopen);
unverified | confirmed -> merged into another open incident; split() moves chosen posts of an open incident into
a new unverified one. Only confirm() creates a resident alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.orm import Session

from kernel import clock
from kernel.store import incident_rows as rows
from kernel.store.labels import NotInIncident, record_judgements
from kernel.store.models import IncidentRow, PostRow
from publish.alerts import alert_from_incident
from publish.incidents import MAX_HAMMING, TITLE_CHARS, post_key, severity
from publish.simhash import hamming

MAX_SPLIT: Final = 500  # posts moved by one split
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


def _get(session: Session, incident_id: int) -> IncidentRow:
    incident = rows.get(session, incident_id)
    if incident is None:
        raise IncidentNotFound(f"incident {incident_id} does not exist")
    return incident


def _check_actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor or actor == "system":
        raise ValueError("an operator name is required for triage actions")
    return actor


def _transition(session: Session, incident_id: int, target: str, actor: str, reason: str) -> IncidentRow:
    actor = _check_actor(actor)
    incident = _get(session, incident_id)
    if incident.status not in ALLOWED[target]:
        raise ValueError(f"incident {incident_id} is {incident.status}; cannot go to {target} "
                         f"(allowed from: {', '.join(ALLOWED[target])})")
    now = clock.now()  # the demo's scenario time in the demo: one clock on every date residents read
    incident.status = target
    incident.updated_at = now
    rows.add_event(session, incident.id, now, actor, ACTIONS[target], reason or "")
    session.flush()
    return incident


def confirm(session: Session, incident_id: int, actor: str, reason: str = "",
            judged: Iterable[int] = ()) -> IncidentRow:
    """Confirm an unverified incident and create its resident alert.

    ``judged``: the posts the operator read and vouched for; only they become ``disaster`` training labels.
    """
    incident = _transition(session, incident_id, "confirmed", actor, reason)
    record_judgements(session, incident_id, judged, "disaster", [incident.hazard], actor.strip())
    alert_from_incident(session, incident, actor)
    return incident


def dismiss(session: Session, incident_id: int, actor: str, reason: str = "",
            judged: Iterable[int] = ()) -> IncidentRow:
    """Dismiss an unverified incident as false, irrelevant or a joke; nothing reaches residents.

    ``judged``: the posts the operator read; only they become ``other`` training labels.
    """
    incident = _transition(session, incident_id, "dismissed", actor, reason)
    record_judgements(session, incident_id, judged, "other", [], actor.strip())
    return incident


def resolve(session: Session, incident_id: int, actor: str, reason: str = "") -> IncidentRow:
    """Close a confirmed incident that is over."""
    return _transition(session, incident_id, "resolved", actor, reason)


def reopen(session: Session, incident_id: int, actor: str, reason: str = "") -> IncidentRow:
    """Bring a dismissed incident back to the triage queue (an operator's undo, or a second look).

    The dismissal's verdicts on its posts are withdrawn with it: a decision taken back is no training label.
    """
    incident = _transition(session, incident_id, "unverified", actor, reason)
    rows.withdraw_judgements(session, incident_id, "other")
    return incident


def merge(session: Session, incident_id: int, into_id: int, actor: str, reason: str = "") -> IncidentRow:
    """Move an incident's posts and counts into another open incident; return the one kept."""
    if incident_id == into_id:
        raise ValueError(f"cannot merge incident {incident_id} into itself")
    into = _get(session, into_id)
    if into.status not in ("unverified", "confirmed") or into.merged_into is not None:
        raise ValueError(f"incident {into_id} is {into.status}; merge only into an open incident")
    source = _transition(session, incident_id, "merged", actor, reason or f"merged into {into_id}")
    source.merged_into = into.id
    rows.move_posts(session, into.id, from_incident=source.id)
    into.post_count += source.post_count
    into.duplicate_count += source.duplicate_count
    into.corroborated_by = [*into.corroborated_by, *(c for c in source.corroborated_by
                                                     if c not in into.corroborated_by)]
    into.first_seen = min(into.first_seen, source.first_seen)
    into.last_seen = max(into.last_seen, source.last_seen)
    into.severity = max(into.severity, source.severity)
    into.updated_at = source.updated_at
    rows.add_event(session, into.id, source.updated_at, actor.strip(), "merged",
                   f"absorbed incident {source.id}: {reason}".rstrip(": "))
    session.flush()
    return into


def _counts(posts: list[PostRow]) -> tuple[int, int]:
    """(posts, copies) among ``posts``: a post within MAX_HAMMING of an earlier one counts as a copy of it."""
    hashes: list[int] = []
    count = 0
    for post in posts:
        if post.simhash is not None and any(hamming(post.simhash, h) <= MAX_HAMMING for h in hashes):
            continue
        count += 1
        if post.simhash is not None:
            hashes.append(post.simhash)
    return count, len(posts) - count


def split(session: Session, incident_id: int, post_ids: Iterable[int], actor: str, reason: str = "") -> IncidentRow:
    """Move the chosen posts of an open incident into a new unverified incident; return the new one.

    Grouping can join what does not belong together; the operator takes it apart, and both incidents record who
    did it and why (the new one is reviewed on its own, so it starts unverified even when the source was
    confirmed). At least one post must stay behind: moving them all is no split.
    """
    actor = _check_actor(actor)
    ids = sorted(set(post_ids))
    if not ids or len(ids) > MAX_SPLIT:
        raise ValueError(f"split needs 1 to {MAX_SPLIT} post ids")
    source = _get(session, incident_id)
    if source.status not in ("unverified", "confirmed") or source.merged_into is not None:
        raise ValueError(f"incident {incident_id} is {source.status}; split only an open incident")
    posts = rows.posts_of(session, source.id)
    moved = [p for p in posts if p.id in set(ids)]
    strangers = sorted(set(ids) - {p.id for p in moved})
    if strangers:
        raise NotInIncident(f"posts {strangers} are not in incident {incident_id}")
    kept = [p for p in posts if p.id not in set(ids)]
    if not kept:
        raise ValueError(f"split would leave incident {incident_id} without posts; dismiss or merge it instead")
    now = datetime.now(UTC)
    first = moved[0]
    post_count, duplicate_count = _counts(moved)
    new = IncidentRow(
        hazard=source.hazard, title=(first.text or "")[:TITLE_CHARS],
        lat=sum(p.lat or source.lat for p in moved) / len(moved),
        lng=sum(p.lng or source.lng for p in moved) / len(moved),
        place_name=str((first.places or [{}])[0].get("name") or first.municipality or source.place_name),
        municipality=first.municipality, municipality_code=first.municipality_code,
        severity=severity(source.hazard, post_count, duplicate_count), status="unverified",
        first_seen=first.observed_at, last_seen=max(p.observed_at for p in moved), post_count=post_count,
        duplicate_count=duplicate_count, corroborated_by=[], updated_at=now, group_key=None)
    rows.add(session, new)  # flushed, for its id
    key = post_key(first, source.hazard)
    # Posts of the split-off place keep arriving at the incident they were taken from only when it is that place.
    new.group_key = key if key != source.group_key else f"split:{source.id}:{new.id}"
    rows.move_posts(session, new.id, post_ids=ids)
    kept_posts, kept_copies = _counts(kept)
    source.post_count = max(1, min(source.post_count, kept_posts))
    source.duplicate_count = max(0, min(source.duplicate_count, kept_copies))
    placed = [p for p in kept if p.lat is not None and p.lng is not None]
    if placed:
        source.lat = sum(p.lat for p in placed) / len(placed)  # type: ignore[misc]
        source.lng = sum(p.lng for p in placed) / len(placed)  # type: ignore[misc]
    source.first_seen = min(p.observed_at for p in kept)
    source.last_seen = max(p.observed_at for p in kept)
    source.updated_at = now
    moved_ids = ", ".join(str(i) for i in ids)
    rows.add_event(session, source.id, now, actor, "split",
                   f"posts {moved_ids} moved to incident {new.id}: {reason}".rstrip(": "))
    rows.add_event(session, new.id, now, actor, "split",
                   f"split from incident {source.id} (posts {moved_ids}): {reason}".rstrip(": "))
    session.flush()
    return new
