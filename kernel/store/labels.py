"""Operators' verdicts on single posts: recorded at triage, read back as labelled posts for retraining.

A post becomes a label only when an operator judged that post (it was on the card they decided, and they
left it ticked). The other posts grouped into a confirmed incident were never read and stay unlabelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.store.models import PostJudgement, PostRow

DECISIONS = {"disaster": "confirm", "other": "dismiss"}


class NotInIncident(ValueError):
    """A judged post does not belong to the incident the operator decided."""


def record_judgements(session: Session, incident_id: int, post_ids: Iterable[int], label: str, categories: list[str],
                      actor: str) -> int:
    """Store one verdict per judged post of ``incident_id``; refuse posts of another incident."""
    ids = sorted(set(post_ids))
    if not ids:
        return 0
    found = set(session.scalars(select(PostRow.id).where(PostRow.id.in_(ids), PostRow.incident_id == incident_id)))
    strangers = [i for i in ids if i not in found]
    if strangers:
        raise NotInIncident(f"posts {strangers} are not in incident {incident_id}")
    now = datetime.now(UTC)
    session.add_all(PostJudgement(post_id=i, incident_id=incident_id, label=label, actor=actor, at=now,
                                  categories=categories if label == "disaster" else []) for i in ids)
    return len(ids)


def decision_rows(session: Session) -> list[dict[str, Any]]:
    """One row per judged post, its latest verdict: text, decision, the operator's hazard categories."""
    stmt = (select(PostJudgement, PostRow.text).join(PostRow, PostJudgement.post_id == PostRow.id)
            .order_by(PostJudgement.post_id, PostJudgement.id))
    latest: dict[int, dict[str, Any]] = {}
    for judgement, text in session.execute(stmt):
        latest[judgement.post_id] = {
            "post_id": judgement.post_id, "text": text, "decision": DECISIONS[judgement.label],
            "categories": sorted(judgement.categories or []), "incident_id": judgement.incident_id,
            "decided_at": judgement.at.isoformat(), "actor": judgement.actor,
        }
    return list(latest.values())
