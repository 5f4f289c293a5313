"""What the web shows of the store's reads: alerts narrowed to an area, and the public's view of incidents.

The SQL lives in the store (``kernel.store.alerts``, ``incidents``, ``observations``); this module holds the
web's own rules on top of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from kernel.published import Alert
from kernel.store import alerts as stored
from publish.areas import touches
from publish.catalog import has_message, message

__all__ = ["active_alerts", "alerts", "public_incident_feature", "public_statuses", "public_title"]

# What the public (no operator session) may see of incidents: only those an operator confirmed, and, when
# asked for, those confirmed and since resolved. Unverified, dismissed and merged ones stay with operators.
PUBLIC_INCIDENT_STATUSES: Final = ("confirmed", "resolved")
PUBLIC_INCIDENT_DEFAULT: Final = ("confirmed",)
# The properties of an incident the public gets: an allow-list, so a field added later (sample posts, an
# author) stays private until someone decides otherwise. The title is rebuilt (see public_incident_feature).
PUBLIC_INCIDENT_FIELDS: Final = ("kind", "id", "hazard", "place", "municipality", "municipality_code", "severity",
                                 "color", "status", "first_seen", "last_seen", "post_count", "duplicate_count",
                                 "corroborated_by", "updated_at")


def alerts(session: Session, limit: int = 200, area: str | None = None) -> list[Alert]:
    """Every alert, in force or past (the archive), newest first; ``area`` keeps those touching it."""
    return [a for a in stored.alerts(session) if touches(a, area)][:limit]


def active_alerts(session: Session, now: datetime, limit: int = 200, area: str | None = None) -> list[Alert]:
    """Alerts in force at ``now`` (kernel.store.alerts.in_force), highest level first."""
    rows = [a for a in stored.active_alerts(session, now) if touches(a, area)]
    rows.sort(key=lambda a: -(a.level or 0))  # stable: newest first within a level
    return rows[:limit]


def public_statuses(requested: tuple[str, ...]) -> tuple[str, ...]:
    """The incident statuses an anonymous reader may list: what was asked for, within the public ones."""
    if not requested:
        return PUBLIC_INCIDENT_DEFAULT
    allowed = tuple(s for s in requested if s in PUBLIC_INCIDENT_STATUSES)
    return allowed or ("-",)  # asked only for private statuses: match nothing


def public_title(hazard: str, place: str | None) -> str:
    """A title from the hazard and the place only: an incident's own title is the text of its first post,
    which may name its author or others (@handles), so it never reaches the public."""
    key = f"hazard.{hazard}"
    name = message("ja", key) if has_message("ja", key) else hazard
    return f"{name}（{place}）" if place else name


def public_incident_feature(feature: dict[str, Any]) -> dict[str, Any] | None:
    """The public view of one incident Feature: None unless an operator confirmed it; a bare withdrawal
    (no place, no text) when a confirmed one was merged away, so public maps drop it."""
    props = feature.get("properties") or {}
    status = props.get("status")
    if status == "merged":
        return {"type": "Feature", "id": feature.get("id"), "geometry": None,
                "properties": {"kind": "incident", "id": props.get("id"), "status": "withdrawn"}}
    if status not in PUBLIC_INCIDENT_STATUSES or props.get("merged_into") is not None:
        return None
    public = {k: props[k] for k in PUBLIC_INCIDENT_FIELDS if k in props}
    public["title"] = public_title(str(props.get("hazard") or ""), props.get("place") or props.get("municipality"))
    public["corroborated_by"] = [c for c in public.get("corroborated_by") or []
                                 if isinstance(c, str) and c.split(":", 1)[0] in ("gauge", "camera", "jma")]
    return {"type": "Feature", "id": feature.get("id"), "geometry": feature.get("geometry"), "properties": public}
