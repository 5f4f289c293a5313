"""Store operations for municipal evacuation information, shelter status and their audit log.

Functions of a Session, run through ``Store.write``/``Store.read`` like ``kernel.store.repo``; the rules
(what a notice changes, which alert it makes) live in ``publish.evacuations``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.published import Evacuation
from kernel.store.models import AuditRow, EvacuationRow, Operator, ShelterStatusRow
from kernel.store.snapshots import evacuation_record

SHELTER_STATUSES: Final = ("open", "full", "closed")
OPENED: Final = ("open", "full")  # a full shelter is open, and residents must see that it is full


def evacuation_state(row: EvacuationRow | None) -> dict[str, Any] | None:
    """The audited view of an evacuation row (None before it existed)."""
    if row is None:
        return None
    return {"id": row.id, "municipality_code": row.municipality_code, "towns": list(row.towns or []),
            "level": row.level, "hazard": row.hazard, "issued_at": _utc(row.issued_at),
            "updated_at": _utc(row.updated_at), "lifted_at": _utc(row.lifted_at) if row.lifted_at else None,
            "alert_id": row.alert_id}


def _utc(value: datetime) -> str:
    """ISO 8601 in UTC, as the store reads times back, so before/after compare alike."""
    return value.astimezone(UTC).isoformat()


def active_evacuation(session: Session, municipality_code: str, towns: list[str]) -> EvacuationRow | None:
    """The evacuation information in force for exactly these towns of the municipality (none: all of it)."""
    stmt = select(EvacuationRow).where(EvacuationRow.municipality_code == municipality_code,
                                       EvacuationRow.lifted_at.is_(None)).order_by(EvacuationRow.id)
    wanted = sorted(towns)
    return next((r for r in session.scalars(stmt) if sorted(r.towns or []) == wanted), None)


def add_evacuation(session: Session, *, municipality_code: str, municipality: str, towns: list[str], level: int,
                   hazard: str, at: datetime, source: str, sender: str) -> EvacuationRow:
    """Open a new episode (発令 at ``at``) and flush it, so it has its id."""
    row = EvacuationRow(municipality_code=municipality_code, municipality=municipality, towns=towns, level=level,
                        hazard=hazard, issued_at=at, updated_at=at, source=source, sender=sender[:128])
    session.add(row)
    session.flush()
    return row


def evacuations(session: Session, *, include_lifted: bool = False, limit: int = 1000) -> list[Evacuation]:
    """Evacuation information in force (or, with ``include_lifted``, every episode), highest level first."""
    stmt = select(EvacuationRow)
    if not include_lifted:
        stmt = stmt.where(EvacuationRow.lifted_at.is_(None))
    stmt = stmt.order_by(EvacuationRow.lifted_at.is_not(None), EvacuationRow.level.desc(),
                         EvacuationRow.updated_at.desc(), EvacuationRow.id.desc())
    return [evacuation_record(r) for r in session.scalars(stmt.limit(limit))]


def add_audit(session: Session, *, at: datetime, actor: str, action: str, entity: str, entity_id: str,
              before: dict[str, Any] | None, after: dict[str, Any] | None) -> AuditRow:
    """Record one change: who, when, what, and the state before and after."""
    row = AuditRow(at=at, actor=actor[:128], action=action, entity=entity, entity_id=entity_id[:64],
                   before=before, after=after)
    session.add(row)
    session.flush()
    return row


def audit_log(session: Session, entity: str | None = None, entity_id: str | None = None) -> list[AuditRow]:
    """Audit rows, oldest first, optionally of one entity."""
    stmt = select(AuditRow)
    if entity is not None:
        stmt = stmt.where(AuditRow.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditRow.entity_id == entity_id)
    return list(session.scalars(stmt.order_by(AuditRow.id)))


def recent_audit(session: Session, limit: int = 20) -> list[AuditRow]:
    """The latest audit rows, newest first: what the command center shows beside the entry form."""
    return list(session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)))


def shelter_statuses(session: Session) -> dict[str, ShelterStatusRow]:
    """Shelter id -> its status row; shelters without a row are closed."""
    return {r.shelter_id: r for r in session.scalars(select(ShelterStatusRow))}


def set_shelter_status(session: Session, *, shelter_id: str, municipality_code: str, status: str, actor: str,
                       at: datetime) -> bool:
    """Set a shelter's status (audited); False when it already had that status."""
    if status not in SHELTER_STATUSES:
        raise ValueError(f"status: expected one of {', '.join(SHELTER_STATUSES)}")
    row = session.get(ShelterStatusRow, shelter_id)
    before = {"status": row.status, "updated_at": _utc(row.updated_at)} if row else {"status": "closed"}
    if before["status"] == status:
        return False
    if row is None:
        row = ShelterStatusRow(shelter_id=shelter_id, municipality_code=municipality_code, status=status,
                               updated_at=at, updated_by=actor[:128])
        session.add(row)
    else:
        row.status, row.updated_at, row.updated_by = status, at, actor[:128]
    add_audit(session, at=at, actor=actor, action="shelter_status", entity="shelter", entity_id=shelter_id,
              before=before, after={"status": status, "updated_at": _utc(at)})
    return True


def operator_municipality(session: Session, username: str) -> str | None:
    """The municipality an operator is restricted to; None for prefecture operators (and env operators)."""
    row = session.get(Operator, username)
    return row.municipality_code if row is not None else None
