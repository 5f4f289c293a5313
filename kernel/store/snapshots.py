"""Rows to frozen records: one conversion per row type, the only place a published record is made from a row."""

from __future__ import annotations

from kernel.published import Alert, Evacuation, Incident, MapPost
from kernel.records import CameraImage, GaugeReading
from kernel.store.models import AlertRow, CameraImageRow, EvacuationRow, GaugeReadingRow, IncidentRow, PostRow


def incident_record(row: IncidentRow) -> Incident:
    """The incident as it stands in the row (a merged one shows the status ``merged``)."""
    return Incident(
        id=row.id, hazard=row.hazard, title=row.title, lat=row.lat, lng=row.lng, place_name=row.place_name,
        municipality=row.municipality, municipality_code=row.municipality_code, severity=row.severity,
        status=row.status, first_seen=row.first_seen, last_seen=row.last_seen, post_count=row.post_count,
        duplicate_count=row.duplicate_count, corroborated_by=tuple(row.corroborated_by or ()),
        merged_into=row.merged_into, updated_at=row.updated_at)


def alert_record(row: AlertRow) -> Alert:
    """The alert as stored; its areas and slots are copies, so later changes to the row do not show through."""
    return Alert(
        id=row.id, source=row.source, ref=row.ref, hazard=row.hazard, event=row.event, level=row.level,
        severity=row.severity, urgency=row.urgency, certainty=row.certainty, msg_type=row.msg_type,
        status=row.status, areas=tuple(dict(a) for a in row.areas or ()), slots=dict(row.slots or {}),
        sent=row.sent, expires=row.expires, references=row.references, family=row.family, ended_at=row.ended_at)


def evacuation_record(row: EvacuationRow) -> Evacuation:
    """The evacuation episode as stored (in force while ``lifted_at`` is None)."""
    return Evacuation(
        id=row.id, municipality_code=row.municipality_code, municipality=row.municipality,
        towns=tuple(str(t) for t in row.towns or ()), level=row.level, hazard=row.hazard, issued_at=row.issued_at,
        updated_at=row.updated_at, lifted_at=row.lifted_at, source=row.source, sender=row.sender,
        alert_id=row.alert_id)


def post_record(row: PostRow) -> MapPost:
    """The post as the map and the triage cards show it."""
    return MapPost(
        id=row.id, source=row.source, author=row.author, text=row.text, url=row.url, label=row.label,
        score=row.score, categories=tuple((str(c[0]), float(c[1])) for c in row.categories or ()),
        place=str(row.places[0].get("name")) if row.places else None, lat=row.lat, lng=row.lng,
        municipality=row.municipality, observed_at=row.observed_at, incident_id=row.incident_id)


def gauge_record(row: GaugeReadingRow, source: str, source_id: str) -> GaugeReading:
    """The reading, with the source and upstream id of its raw item."""
    return GaugeReading(
        source=source, source_id=source_id, observed_at=row.observed_at, gauge_id=row.gauge_id, name=row.name,
        river=row.river, lat=row.lat, lng=row.lng, level_m=row.level_m, warning_level=row.warning_level,
        threshold_name=row.threshold_name, trend_m_per_h=row.trend_m_per_h,
        crossing="up" if row.crossing == "up" else "down" if row.crossing == "down" else None, stale=row.stale)


def camera_record(row: CameraImageRow, source: str, source_id: str) -> CameraImage:
    """The still, with the source and upstream id of its raw item."""
    return CameraImage(
        source=source, source_id=source_id, observed_at=row.observed_at, camera_id=row.camera_id, name=row.name,
        lat=row.lat, lng=row.lng, image_path=row.image_path, thumbnail_path=row.thumbnail_path,
        status="ok" if row.status == "ok" else "stale" if row.status == "stale" else "offline")
