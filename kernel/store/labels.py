"""Operators' verdicts on single posts: recorded at triage, read back as labelled posts for retraining.

A post becomes a label only when an operator judged that post (it was on the card they decided, and they
left it ticked). The other posts grouped into a confirmed incident were never read and stay unlabelled.
Operators only ever see flagged posts, so the classifier's misses never come back as verdicts: the posts
it was least sure of are read back unlabelled, for engineers to label by hand (a review queue).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, select
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


def review_rows(session: Session, *, threshold: float, band: float, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` classified posts no operator judged whose disaster score lies within ``band`` of the
    served ``threshold``, the closest to it first; a text seen before in the queue (a repost) is left out.

    ``label`` stays empty for the labeller to fill in (``disaster`` or ``other``, with categories);
    ``predicted`` is what the classifier said.
    """
    distance = func.abs(PostRow.score - threshold)
    judged = exists().where(PostJudgement.post_id == PostRow.id)
    stmt = (select(PostRow.id, PostRow.text, PostRow.score, PostRow.label, PostRow.categories, PostRow.model_version,
                   PostRow.observed_at)
            .where(PostRow.score.is_not(None), distance <= band, ~judged)
            .order_by(distance, PostRow.id))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in session.execute(stmt.execution_options(yield_per=500)):
        key = " ".join(row.text.split())
        if key in seen:
            continue
        seen.add(key)
        out.append({"post_id": row.id, "text": row.text, "label": None, "categories": [],
                    "predicted": row.label, "score": round(row.score, 4),
                    "predicted_categories": [name for name, _ in row.categories or []],
                    "model_version": row.model_version, "observed_at": row.observed_at.isoformat(),
                    "source": "review"})
        if len(out) >= limit:
            break
    return out
