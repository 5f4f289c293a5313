"""Gauge readings, camera stills and JMA telegrams in the store: the reads behind the map and the public page."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kernel.records import CameraImage, GaugeReading
from kernel.store.models import CameraImageRow, GaugeReadingRow, OfficialReportRow, RawItem
from kernel.store.snapshots import camera_record, gauge_record

WARNING_REPORT_TYPES: Final = ("warning", "landslide")


def _gauges() -> Select[tuple[GaugeReadingRow, str, str]]:
    """Readings with the source and upstream id of their raw items."""
    return select(GaugeReadingRow, RawItem.source, RawItem.source_id).join(RawItem, RawItem.id == GaugeReadingRow.id)


def latest_gauges(session: Session) -> list[GaugeReading]:
    """The newest reading of every gauge."""
    newest = (select(GaugeReadingRow.gauge_id, func.max(GaugeReadingRow.observed_at).label("at"))
              .group_by(GaugeReadingRow.gauge_id).subquery())
    on = (GaugeReadingRow.gauge_id == newest.c.gauge_id) & (GaugeReadingRow.observed_at == newest.c.at)
    stmt = _gauges().join(newest, on).order_by(GaugeReadingRow.gauge_id, GaugeReadingRow.id.desc())
    seen: dict[str, GaugeReading] = {}
    for row, source, source_id in session.execute(stmt):
        if row.gauge_id not in seen:
            seen[row.gauge_id] = gauge_record(row, source, source_id)
    return list(seen.values())


def gauge_latest(session: Session, gauge_id: str) -> GaugeReading | None:
    """The newest reading of one gauge."""
    stmt = _gauges().where(GaugeReadingRow.gauge_id == gauge_id).order_by(GaugeReadingRow.observed_at.desc()).limit(1)
    found = session.execute(stmt).first()
    return None if found is None else gauge_record(*found)


def gauge_rows(session: Session, ids: list[int]) -> list[tuple[GaugeReadingRow, str, str]]:
    """(row, source, upstream id) of the readings stored under these raw item ids, for the observe stage."""
    return [(row, source, source_id) for row, source, source_id
            in session.execute(_gauges().where(GaugeReadingRow.id.in_(ids)).order_by(GaugeReadingRow.id))]


def gauge_series(session: Session, since: datetime, until: datetime) -> dict[str, list[tuple[datetime, float]]]:
    """Each gauge's levels between ``since`` and ``until``, oldest first, one per time (missing values left out)."""
    stmt = (select(GaugeReadingRow.gauge_id, GaugeReadingRow.observed_at, GaugeReadingRow.level_m)
            .where(GaugeReadingRow.observed_at >= since, GaugeReadingRow.observed_at <= until)
            .order_by(GaugeReadingRow.observed_at))
    series: dict[str, list[tuple[datetime, float]]] = {}
    for gauge_id, at, level_m in session.execute(stmt):
        points = series.setdefault(gauge_id, [])
        if level_m is not None and (not points or points[-1][0] < at):
            points.append((at, level_m))
    return series


def _cameras() -> Select[tuple[CameraImageRow, str, str]]:
    """Stills with the source and upstream id of their raw items."""
    return select(CameraImageRow, RawItem.source, RawItem.source_id).join(RawItem, RawItem.id == CameraImageRow.id)


def latest_cameras(session: Session) -> list[CameraImage]:
    """The newest still of every camera."""
    newest = (select(CameraImageRow.camera_id, func.max(CameraImageRow.id).label("id"))
              .group_by(CameraImageRow.camera_id).subquery())
    stmt = _cameras().join(newest, CameraImageRow.id == newest.c.id).order_by(CameraImageRow.camera_id)
    return [camera_record(*found) for found in session.execute(stmt)]


def camera_latest(session: Session, camera_id: str) -> CameraImage | None:
    """The newest still of one camera."""
    stmt = _cameras().where(CameraImageRow.camera_id == camera_id).order_by(CameraImageRow.id.desc()).limit(1)
    found = session.execute(stmt).first()
    return None if found is None else camera_record(*found)


def camera_rows(session: Session, ids: list[int]) -> list[CameraImageRow]:
    """The stills stored under these raw item ids, for the observe stage."""
    return list(session.scalars(select(CameraImageRow).where(CameraImageRow.id.in_(ids)).order_by(CameraImageRow.id)))


def report_rows(session: Session, ids: list[int]) -> list[OfficialReportRow]:
    """The JMA telegrams stored under these raw item ids, for the observe stage."""
    stmt = select(OfficialReportRow).where(OfficialReportRow.id.in_(ids)).order_by(OfficialReportRow.id)
    return list(session.scalars(stmt))


def report_title(session: Session, report_id: int) -> str | None:
    """The title of a stored JMA telegram."""
    return session.scalar(select(OfficialReportRow.title).where(OfficialReportRow.id == report_id))


def latest_earthquakes(session: Session, limit: int = 20) -> list[tuple[int, datetime, list[dict[str, Any]]]]:
    """(id, report time, items) of the newest earthquake telegrams, newest first."""
    stmt = (select(OfficialReportRow.id, OfficialReportRow.report_datetime, OfficialReportRow.items)
            .where(OfficialReportRow.report_type == "earthquake")
            .order_by(OfficialReportRow.report_datetime.desc(), OfficialReportRow.id.desc()).limit(limit))
    return [(report_id, at, list(items or [])) for report_id, at, items in session.execute(stmt)]


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
