"""Posts in the store as the pipeline stages read and write them: texts in, predictions and places out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kernel.records import Place, Prediction
from kernel.store.models import PostRow, RawItem


def texts(session: Session, ids: list[int]) -> list[tuple[int, str, tuple[float, float] | None]]:
    """(id, text, own geotag) of the posts with these ids."""
    stmt = select(PostRow.id, PostRow.text, PostRow.geo_lat, PostRow.geo_lng).where(PostRow.id.in_(ids))
    rows = session.execute(stmt)
    return [(r.id, r.text, (r.geo_lat, r.geo_lng) if r.geo_lat is not None and r.geo_lng is not None else None)
            for r in rows]


def save_predictions(session: Session, predicted: list[tuple[int, Prediction]], version: str, now: datetime) -> None:
    """Store each post's classification (one bulk UPDATE)."""
    rows = [{"id": post_id, "label": pred.label, "score": pred.score, "model_version": version,
             "categories": [[name, score] for name, score in pred.categories], "classified_at": now}
            for post_id, pred in predicted]
    if rows:
        session.execute(update(PostRow), rows)


def save_places(session: Session, placed: list[tuple[int, list[Place]]]) -> None:
    """Store each post's places, best first; the best place locates the post (one bulk UPDATE)."""
    rows = []
    for post_id, places in placed:
        best = places[0] if places else None
        rows.append({"id": post_id, "places": [asdict(p) for p in places],
                     "lat": best.lat if best else None, "lng": best.lng if best else None,
                     "municipality": best.municipality if best else None,
                     "municipality_code": best.code if best else None})
    if rows:
        session.execute(update(PostRow), rows)


def post_rows(session: Session, ids: list[int]) -> list[PostRow]:
    """The rows of the posts with these ids, for a stage that changes them in its transaction."""
    return list(session.scalars(select(PostRow).where(PostRow.id.in_(ids))))


def received_at(session: Session, ids: list[int]) -> list[datetime]:
    """When the items with these ids were received."""
    return list(session.scalars(select(RawItem.received_at).where(RawItem.id.in_(ids))))
