"""Read queries behind the API and pages, as functions of a Session (run them through ``Store.read``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from kernel.store.models import AlertRow, CameraImageRow, GaugeReadingRow, IncidentRow, OfficialReportRow, PostRow
from publish.alerts import in_force
from publish.areas import overlaps
from publish.catalog import has_message, message

MAX_ROWS: Final = 1000
WARNING_REPORT_TYPES: Final = ("warning", "landslide")
# What the public (no operator session) may see of incidents: only those an operator confirmed, and, when
# asked for, those confirmed and since resolved. Unverified, dismissed and merged ones stay with operators.
PUBLIC_INCIDENT_STATUSES: Final = ("confirmed", "resolved")
PUBLIC_INCIDENT_DEFAULT: Final = ("confirmed",)
# The properties of an incident the public gets: an allow-list, so a field added later (sample posts, an
# author) stays private until someone decides otherwise. The title is rebuilt (see public_incident_feature).
PUBLIC_INCIDENT_FIELDS: Final = ("kind", "id", "hazard", "place", "municipality", "municipality_code", "severity",
                                 "color", "status", "first_seen", "last_seen", "post_count", "duplicate_count",
                                 "corroborated_by", "updated_at")


@dataclass(frozen=True, slots=True)
class Filters:
    """Filters of the map layers: hazard (a category), municipality (name or JIS code), since (aware time)."""

    hazard: str | None = None
    municipality: str | None = None
    since: datetime | None = None
    limit: int = 500


def alerts(session: Session, limit: int = 200, area: str | None = None) -> list[AlertRow]:
    """Every alert, in force or past (the archive), newest first; ``area`` keeps those touching it."""
    rows = list(session.scalars(select(AlertRow).order_by(AlertRow.sent.desc(), AlertRow.id).limit(MAX_ROWS)))
    return _touching(rows, area)[:limit]


def active_alerts(session: Session, now: datetime, limit: int = 200, area: str | None = None) -> list[AlertRow]:
    """Alerts in force at ``now`` (publish.alerts.in_force), highest level first."""
    stmt = select(AlertRow).where(in_force(now)).order_by(AlertRow.sent.desc(), AlertRow.id).limit(MAX_ROWS)
    rows = _touching(list(session.scalars(stmt)), area)
    rows.sort(key=lambda a: -(a.level or 0))  # stable: newest first within a level
    return rows[:limit]


def _touching(rows: list[AlertRow], area: str | None) -> list[AlertRow]:
    if not area:
        return rows
    return [a for a in rows if overlaps([str(x.get("code") or "") for x in a.areas], [area])]


def alert(session: Session, alert_id: str) -> AlertRow | None:
    """One alert by id."""
    return session.get(AlertRow, alert_id)


def _municipality_clause(column_name: Any, column_code: Any, value: str) -> Any:
    return column_code.startswith(value) if value.isdigit() else column_name == value


def incidents(session: Session, f: Filters, statuses: tuple[str, ...] = ()) -> list[IncidentRow]:
    """Incidents not merged into another, newest activity first."""
    stmt = select(IncidentRow).where(IncidentRow.merged_into.is_(None))
    if statuses:
        stmt = stmt.where(IncidentRow.status.in_(statuses))
    if f.hazard:
        stmt = stmt.where(IncidentRow.hazard == f.hazard)
    if f.municipality:
        stmt = stmt.where(_municipality_clause(IncidentRow.municipality, IncidentRow.municipality_code, f.municipality))
    if f.since:
        stmt = stmt.where(IncidentRow.last_seen >= f.since)
    return list(session.scalars(stmt.order_by(IncidentRow.last_seen.desc()).limit(min(f.limit, MAX_ROWS))))


# How fast a hazard needs a human, within one severity: people in danger before damage to things. The queue
# orders by severity, then this, then latest activity (issue 19 §2: level-4 rescues sat among outages).
URGENCY: Final = {"casualty_rescue": 9, "tsunami": 8, "fire": 7, "landslide": 6, "flood": 5, "earthquake": 4,
                  "evacuation_shelter": 3, "road_blocked": 2, "other_damage": 1, "power_water_outage": 1}
QUEUE_STATUSES: Final = {"unverified": ("unverified",), "dismissed": ("dismissed",),
                         "open": ("unverified", "confirmed")}


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the triage queue: its rows, how many match in all, and which rows are stale."""

    rows: list[IncidentRow]
    total: int
    stale: set[int]


def triage_queue(session: Session, f: Filters, stale_before: datetime, *, statuses: tuple[str, ...] = ("unverified",),
                 offset: int = 0, text: str | None = None) -> QueuePage:
    """The triage queue: severity, then urgency, then latest activity; stale (quiet since ``stale_before``) last.

    Stale incidents stay in the queue, greyed, so nothing disappears silently; they just stop crowding out
    what is happening now. ``total`` counts every match so the page can say how many are not shown.
    """
    urgency = case(URGENCY, value=IncidentRow.hazard, else_=0)
    stale = case((IncidentRow.last_seen < stale_before, 1), else_=0)
    stmt = select(IncidentRow).where(IncidentRow.merged_into.is_(None), IncidentRow.status.in_(statuses))
    if f.hazard:
        stmt = stmt.where(IncidentRow.hazard == f.hazard)
    if f.municipality:
        stmt = stmt.where(_municipality_clause(IncidentRow.municipality, IncidentRow.municipality_code, f.municipality))
    if f.since:
        stmt = stmt.where(IncidentRow.last_seen >= f.since)
    if text and text.lstrip("#").isdigit():  # an incident number, as the cards show it
        stmt = stmt.where(IncidentRow.id == int(text.lstrip("#")))
    elif text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(IncidentRow.title.like(like), IncidentRow.place_name.like(like),
                              IncidentRow.municipality.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordered = stmt.order_by(stale, IncidentRow.severity.desc(), urgency.desc(), IncidentRow.last_seen.desc(),
                            IncidentRow.id.desc())
    rows = list(session.scalars(ordered.offset(offset).limit(min(f.limit, MAX_ROWS))))
    return QueuePage(rows, int(total), {r.id for r in rows if r.status == "unverified"
                                        and _aware(r.last_seen) < _aware(stale_before)})


def _aware(dt: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; compare them as aware ones."""
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def incident_scores(session: Session, incident_ids: list[int]) -> dict[int, float]:
    """The AI's highest confidence among each incident's posts (what made it an incident)."""
    if not incident_ids:
        return {}
    stmt = (select(PostRow.incident_id, func.max(PostRow.score)).where(PostRow.incident_id.in_(incident_ids))
            .group_by(PostRow.incident_id))
    return {int(i): float(s) for i, s in session.execute(stmt) if i is not None and s is not None}


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


def flagged_posts(session: Session, f: Filters) -> list[PostRow]:
    """Posts the classifier flagged as disaster reports and the geocoder placed, newest first."""
    stmt = select(PostRow).where(PostRow.label == "disaster", PostRow.lat.is_not(None))
    if f.municipality:
        stmt = stmt.where(_municipality_clause(PostRow.municipality, PostRow.municipality_code, f.municipality))
    if f.since:
        stmt = stmt.where(PostRow.observed_at >= f.since)
    stmt = stmt.order_by(PostRow.observed_at.desc())
    if not f.hazard:
        return list(session.scalars(stmt.limit(min(f.limit, MAX_ROWS))))
    rows = [p for p in session.scalars(stmt.limit(MAX_ROWS * 5))
            if any(c and c[0] == f.hazard for c in (p.categories or []))]
    return rows[: f.limit]


def incident_posts(session: Session, incident_ids: list[int], per_incident: int = 3) -> dict[int, list[PostRow]]:
    """A few newest posts of each incident (for the triage panel)."""
    out: dict[int, list[PostRow]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return out
    stmt = select(PostRow).where(PostRow.incident_id.in_(incident_ids)).order_by(PostRow.observed_at.desc())
    for post in session.scalars(stmt.limit(MAX_ROWS)):
        bucket = out[post.incident_id or 0] if post.incident_id in out else None
        if bucket is not None and len(bucket) < per_incident:
            bucket.append(post)
    return out


def latest_gauges(session: Session) -> list[GaugeReadingRow]:
    """The newest reading of every gauge."""
    newest = (select(GaugeReadingRow.gauge_id, func.max(GaugeReadingRow.observed_at).label("at"))
              .group_by(GaugeReadingRow.gauge_id).subquery())
    on = (GaugeReadingRow.gauge_id == newest.c.gauge_id) & (GaugeReadingRow.observed_at == newest.c.at)
    stmt = (select(GaugeReadingRow).join(newest, on)
            .order_by(GaugeReadingRow.gauge_id, GaugeReadingRow.id.desc()))
    seen: dict[str, GaugeReadingRow] = {}
    for row in session.scalars(stmt):
        seen.setdefault(row.gauge_id, row)
    return list(seen.values())


def latest_cameras(session: Session) -> list[CameraImageRow]:
    """The newest still of every camera."""
    newest = (select(CameraImageRow.camera_id, func.max(CameraImageRow.id).label("id"))
              .group_by(CameraImageRow.camera_id).subquery())
    stmt = select(CameraImageRow).join(newest, CameraImageRow.id == newest.c.id).order_by(CameraImageRow.camera_id)
    return list(session.scalars(stmt))


def camera_latest(session: Session, camera_id: str) -> CameraImageRow | None:
    """The newest still of one camera."""
    stmt = select(CameraImageRow).where(CameraImageRow.camera_id == camera_id).order_by(CameraImageRow.id.desc())
    return session.scalars(stmt.limit(1)).first()


def current_warnings(session: Session) -> list[dict[str, Any]]:
    """Warnings and advisories in force per area, from the newest telegram of each kind and office.

    A JMA warning telegram restates the full state of every area it covers, so the newest one per
    (source, report type, title) is the current state; older ones are history.
    """
    stmt = (select(OfficialReportRow).where(OfficialReportRow.report_type.in_(WARNING_REPORT_TYPES))
            .order_by(OfficialReportRow.report_datetime.desc(), OfficialReportRow.id.desc()).limit(200))
    newest: dict[tuple[str, str, str], OfficialReportRow] = {}
    for report in session.scalars(stmt):
        newest.setdefault((report.source, report.report_type, report.title), report)
    areas: dict[str, dict[str, Any]] = {}
    for report in newest.values():
        for item in report.items:
            if item.get("type") not in WARNING_REPORT_TYPES or not item.get("in_force") or not item.get("area_code"):
                continue
            if item.get("type") == "warning" and "市町村等" not in str(item.get("scope", "")):
                continue  # the finest scope (municipalities) is what the map shows
            if "をまとめた" in str(item.get("scope", "")):
                continue
            code = str(item["area_code"])
            area = areas.setdefault(code, {"area_code": code, "area_name": item.get("area_name") or code,
                                           "kinds": [], "level": 0,
                                           "report_datetime": report.report_datetime.isoformat()})
            name = str(item.get("kind_name") or "")
            if name and name not in [k["name"] for k in area["kinds"]]:
                area["kinds"].append({"name": name, "level": item.get("level")})
            area["level"] = max(area["level"], int(item.get("level") or 0))
    return sorted(areas.values(), key=lambda a: (-a["level"], a["area_code"]))
