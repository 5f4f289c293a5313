"""Write and read operations on the store, as functions of a Session (run them through ``Store.write``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kernel.records import (
    CameraImage,
    EvacuationNotice,
    GaugeReading,
    OfficialReport,
    Post,
    Record,
    record_from_json,
)
from kernel.store.models import (
    CameraImageRow,
    GaugeReadingRow,
    OfficialReportRow,
    PostRow,
    RawItem,
    Reject,
)

DONE = "done"
NEW = "new"
CLASSIFIED = "classified"
GEOCODED = "geocoded"
FAILED = "failed"


@cache
def _raw_insert(dialect: str) -> Insert:
    """The idempotent raw-item INSERT of a dialect, built once (building it per item cost more than running it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = RawItem.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=["source", "source_id"])
            .returning(table.c.id, table.c.source, table.c.source_id))


def save_raw(session: Session, record: Record, raw: bytes, now: datetime) -> int | None:
    """Insert the raw item and its typed row; return its id, or None when (source, source_id) exists."""
    return save_raws(session, [(record, raw, now)])[0]


def save_raws(session: Session, items: list[tuple[Record, bytes, datetime]]) -> list[int | None]:
    """Insert raw items and their typed rows, one statement per table for the lot (run as ``Batched`` writes,
    so items ingested together share them); per item its id, or None when (source, source_id) was stored
    before or comes earlier in the list.

    ``INSERT ... ON CONFLICT DO NOTHING`` keeps this idempotent even with several writers (PostgreSQL).
    Core statements, not the ORM unit of work: this is the hot path of every ingested item.
    """
    rows = [
        {"source": record.source, "source_id": record.source_id, "kind": record.kind, "received_at": now,
         "observed_at": record.observed_at, "record": record.to_json(), "raw": raw, "state": NEW}
        for record, raw, now in items
    ]
    conn = session.connection()
    inserted = {(source, source_id): item_id
                for item_id, source, source_id in conn.execute(_raw_insert(conn.dialect.name), rows)}
    ids: list[int | None] = []
    typed: dict[type[Any], list[dict[str, Any]]] = {}
    for record, _raw, _now in items:
        item_id = inserted.pop((record.source, record.source_id), None)  # popped: a second copy is a duplicate
        ids.append(item_id)
        if item_id is not None and not isinstance(record, EvacuationNotice):  # notices: raw item only
            model, values = typed_values(record)
            typed.setdefault(model, []).append({"id": item_id, **values})
    for model, typed_rows in typed.items():
        conn.execute(model.__table__.insert(), typed_rows)
    return ids


def typed_values(record: Record) -> tuple[type[Any], dict[str, Any]]:
    """The typed table of a record (posts, reports, readings, images) and the values of its row."""
    if isinstance(record, Post):
        return PostRow, {
            "source": record.source, "source_id": record.source_id, "author": record.author, "text": record.text,
            "lang": record.lang, "url": record.url, "media_urls": list(record.media_urls),
            "observed_at": record.observed_at, "categories": [], "places": [],
            "geo_lat": record.geo[0] if record.geo else None, "geo_lng": record.geo[1] if record.geo else None,
        }
    if isinstance(record, OfficialReport):
        return OfficialReportRow, {
            "source": record.source, "source_id": record.source_id, "title": record.title,
            "info_kind": record.info_kind, "info_type": record.info_type, "status": record.status,
            "report_type": record.report_type, "report_datetime": record.report_datetime,
            "headline": record.headline, "items": [dict(i) for i in record.items],
            "area_codes": list(record.area_codes), "level": record.level, "event_id": record.event_id,
            "valid_until": record.valid_until,
        }
    if isinstance(record, GaugeReading):
        return GaugeReadingRow, {
            "gauge_id": record.gauge_id, "name": record.name, "river": record.river,
            "observed_at": record.observed_at, "lat": record.lat, "lng": record.lng, "level_m": record.level_m,
            "warning_level": record.warning_level, "threshold_name": record.threshold_name,
            "trend_m_per_h": record.trend_m_per_h, "crossing": record.crossing, "stale": record.stale,
        }
    if isinstance(record, CameraImage):
        return CameraImageRow, {
            "camera_id": record.camera_id, "name": record.name, "observed_at": record.observed_at,
            "lat": record.lat, "lng": record.lng, "image_path": record.image_path,
            "thumbnail_path": record.thumbnail_path, "status": record.status,
        }
    raise TypeError(f"no table for record type {type(record).__name__}")


def save_reject(
    session: Session, source: str, source_id: str | None, raw: bytes, error: str, now: datetime
) -> int:
    """Keep bad data with the reason it was rejected."""
    row = Reject(source=source, source_id=source_id, raw=raw, error=error[:2000], received_at=now)
    session.add(row)
    session.flush()
    return row.id


def set_state(session: Session, item_ids: list[int], state: str, error: str | None = None) -> None:
    """Move items to a pipeline state."""
    if item_ids:
        session.execute(update(RawItem).where(RawItem.id.in_(item_ids)).values(state=state, error=error))


def post_arrivals(session: Session) -> Iterator[tuple[datetime, datetime]]:
    """(observed_at, received_at) of every stored post, streamed: when it was written and when it was stored."""
    stmt = select(RawItem.observed_at, RawItem.received_at).where(RawItem.kind == "post")
    rows = session.execute(stmt.execution_options(yield_per=10_000))
    yield from ((observed, received) for observed, received in rows)


def unfinished(session: Session, before: datetime | None = None) -> list[tuple[int, str, str]]:
    """(id, kind, state) of every unfinished item received before ``before``, oldest first."""
    stmt = select(RawItem.id, RawItem.kind, RawItem.state).where(RawItem.state.in_([NEW, CLASSIFIED, GEOCODED]))
    if before is not None:
        stmt = stmt.where(RawItem.received_at < before)
    return [(r.id, r.kind, r.state) for r in session.execute(stmt.order_by(RawItem.id))]


def evacuation_notices(session: Session, ids: list[int]) -> list[tuple[int, str, EvacuationNotice]]:
    """(id, source, notice) of the evacuation notices among these raw items, in the order received."""
    stmt = select(RawItem).where(RawItem.id.in_(ids), RawItem.kind == "evacuation").order_by(RawItem.id)
    found = [(item.id, item.source, record_from_json(item.record)) for item in session.scalars(stmt)]
    return [(item_id, source, notice) for item_id, source, notice in found if isinstance(notice, EvacuationNotice)]


def post_items(session: Session, state: str | None = None, source_id_prefix: str = "") -> int:
    """How many post items are stored: in ``state`` when given, with source ids starting ``source_id_prefix``."""
    stmt = select(func.count()).select_from(RawItem).where(RawItem.kind == "post")
    if state is not None:
        stmt = stmt.where(RawItem.state == state)
    if source_id_prefix:
        stmt = stmt.where(RawItem.source_id.startswith(source_id_prefix, autoescape=True))
    return session.scalar(stmt) or 0


def counts(session: Session) -> dict[str, int]:
    """Row counts per raw-item state and of the main tables (for health and tests)."""
    out = {f"items_{state}": n for state, n in session.execute(
        select(RawItem.state, func.count()).group_by(RawItem.state)
    )}
    out["items"] = sum(v for k, v in out.items() if k.startswith("items_"))
    out["posts"] = session.scalar(select(func.count()).select_from(PostRow)) or 0
    out["rejects"] = session.scalar(select(func.count()).select_from(Reject)) or 0
    return out
