"""Resident alerts: relayed JMA information, river-threshold crossings and operator-confirmed incidents.

Only these three paths create alerts; AI-flagged posts never do (an operator's confirm() is required).
Ids are derived from what the alert came from, so running again for the same input adds nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bosai.store.models import AlertRow, GaugeReadingRow, Incident, OfficialReportRow
from publish import areas as mie
from publish.events import (
    CAUTION_THRESHOLD,
    EVENTS,
    INTENSITY_ORDER,
    EventSpec,
    base_name,
    cap_status,
    event_for,
    intensity_rank,
    threshold_level,
)
from publish.municipalities import nearest

log = logging.getLogger(__name__)
MIN_QUAKE_INTENSITY = "3"  # relay earthquake information from this intensity observed in Mie
INCIDENT_SEVERITY = {5: "Extreme", 4: "Severe", 3: "Moderate"}
GAUGE_SEVERITY = {5: "Extreme", 4: "Severe", 3: "Severe", 2: "Moderate"}
# Warning scopes from coarse to fine: the finest present in a telegram is used.
_SCOPE_RANK = (("市町村等をまとめた", 2), ("市町村等", 3), ("一次細分", 1))


def _scope_rank(scope: str) -> int:
    return next((rank for word, rank in _SCOPE_RANK if word in (scope or "")), 0)


def _area(code: Any, name: Any) -> dict[str, Any]:
    return {"code": str(code or ""), "name": str(name or "")}


def _previous(session: Session, event: str, codes: set[str]) -> AlertRow | None:
    """The newest earlier JMA alert for the same event and areas (what a Cancel refers to)."""
    stmt = select(AlertRow).where(AlertRow.source == "jma", AlertRow.event == event,
                                  AlertRow.msg_type != "Cancel")
    for row in session.scalars(stmt.order_by(AlertRow.sent.desc()).limit(50)):
        if codes & {a.get("code") for a in row.areas}:
            return row
    return None


def _add(session: Session, alert: AlertRow, previous: AlertRow | None) -> AlertRow:
    if previous is not None:
        alert.references = previous.id
        alert.slots = {**alert.slots, "references_sent": previous.sent.isoformat()}
    session.add(alert)
    session.flush()
    log.info("alert_created id=%s source=%s event=%s msg_type=%s", alert.id, alert.source, alert.event,
             alert.msg_type)
    return alert


def _jma_alert(session: Session, report: OfficialReportRow, spec: EventSpec, event: str, key: str,
               lifted: bool, area_list: list[dict[str, Any]], extra: dict[str, Any]) -> AlertRow | None:
    alert_id = f"jma-{report.id}-{key}-{'lifted' if lifted else 'issued'}"
    if session.get(AlertRow, alert_id) is not None:
        return None
    previous = _previous(session, event, {a["code"] for a in area_list}) if lifted else None
    msg_type = ("Cancel" if previous is not None else "Update") if lifted else "Alert"
    slots = {"kind": "lifted" if lifted else extra.pop("kind", "issued"), "event_key": spec.key,
             "event_name": event, "time": report.report_datetime.isoformat(), "source": "jma", **extra}
    alert = AlertRow(
        id=alert_id, source="jma", ref=f"official:{report.id}", hazard=spec.hazard, event=event,
        level=None if lifted else spec.level, severity="Minor" if lifted else spec.severity,
        urgency="Past" if lifted else spec.urgency, certainty="Observed" if lifted else "Likely",
        msg_type=msg_type, status=cap_status(report.status, report.headline), areas=area_list,
        slots=slots, sent=report.report_datetime, expires=None,
    )
    return _add(session, alert, previous)


def _warning_groups(items: list[dict[str, Any]], areas: list[str]
                    ) -> dict[tuple[str, bool], list[dict[str, Any]]]:
    """Group in-scope warning/landslide items by (event name, lifted), using the finest scope."""
    scoped = [i for i in items if i.get("type") in ("warning", "landslide")
              and mie.in_scope(str(i.get("area_code", "")), areas)]
    finest = max((_scope_rank(i.get("scope", "")) for i in scoped), default=0)
    groups: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
    for item in scoped:
        if item.get("type") == "warning" and _scope_rank(item.get("scope", "")) != finest:
            continue
        status = str(item.get("status") or "")
        lifted = status == "解除"
        if item.get("type") == "landslide":
            name = "土砂災害警戒情報"
        else:
            name = base_name(str(item.get("last_kind_name") if lifted and item.get("last_kind_name")
                                 else item.get("kind_name") or ""))
        if (status == "発表" or lifted or "から" in status) and name in EVENTS:
            groups[(name, lifted)].append(_area(item.get("area_code"), item.get("area_name")))
    return groups


def _tsunami_groups(items: list[dict[str, Any]], areas: list[str]
                    ) -> dict[tuple[str, bool], list[dict[str, Any]]]:
    groups: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        if item.get("type") != "tsunami" or not mie.in_scope(str(item.get("area_code", "")), areas, "tsunami"):
            continue
        category = str(item.get("category") or "")
        lifted = category == "解除"
        name = base_name(str(item.get("last_kind_name") or "")).split("：")[0] if lifted else category
        if name in EVENTS and (lifted or "継続" not in str(item.get("kind_name") or "")):
            groups[(name, lifted)].append(_area(item.get("area_code"), item.get("area_name")))
    return groups


def _quake_alert(session: Session, report: OfficialReportRow, areas: list[str]) -> AlertRow | None:
    hits = [i for i in report.items if i.get("type") == "intensity" and i.get("scope") in ("area", "city")
            and mie.in_scope(str(i.get("code", "")), areas, "quake" if i.get("scope") == "area" else "land")]
    hits = [i for i in hits if intensity_rank(i.get("max_int")) >= intensity_rank(MIN_QUAKE_INTENSITY)]
    if not hits:
        return None
    top = max(intensity_rank(i.get("max_int")) for i in hits)
    area_list = [_area(i.get("code"), i.get("name")) for i in hits if i.get("scope") == "area"] or [
        _area(i.get("code"), i.get("name")) for i in hits]
    extra = {"kind": "earthquake", "intensity": INTENSITY_ORDER[top - 1]}
    quake = next((i for i in report.items if i.get("type") == "earthquake"), {})
    if quake.get("origin_time"):
        extra["origin_time"] = quake["origin_time"]
    return _jma_alert(session, report, EVENTS["地震情報"], "地震情報", "quake", False, area_list, extra)


def alerts_from_report(session: Session, report: OfficialReportRow, *, areas: list[str]) -> list[AlertRow]:
    """Relay a JMA telegram's warnings, landslide, flood, heavy-rain, quake and tsunami items for ``areas``."""
    if report.info_type == "取消":
        log.warning("jma_report_cancelled_not_relayed id=%s title=%s", report.id, report.title)
        return []
    items = [i for i in report.items if isinstance(i, dict)]
    groups = _warning_groups(items, areas)
    for key, value in _tsunami_groups(items, areas).items():
        groups[key].extend(value)
    made: list[AlertRow] = []
    for (name, lifted), area_list in groups.items():
        spec = EVENTS[name]
        alert = _jma_alert(session, report, spec, name, spec.key, lifted, area_list, {})
        if alert is not None:
            made.append(alert)
    made.extend(_single_item_alerts(session, report, items, areas))
    return made


def _single_item_alerts(session: Session, report: OfficialReportRow, items: list[dict[str, Any]],
                        areas: list[str]) -> list[AlertRow]:
    """Flood forecasts, record heavy rain and earthquakes: one alert per telegram."""
    made: list[AlertRow | None] = []
    flood = [i for i in items if i.get("type") == "flood_forecast" and "河川）" in str(i.get("scope"))]
    in_area = any(mie.in_scope(c, areas) for c in report.area_codes) or any(
        mie.in_scope(str(a.get("code", "")), areas) for i in items if i.get("type") == "flood_forecast"
        for a in i.get("areas", []))
    prefecture = [_area(a.get("code"), a.get("name")) for i in items if i.get("type") == "flood_forecast"
                  and "府県予報区" in str(i.get("scope")) for a in i.get("areas", [])
                  if mie.in_scope(str(a.get("code", "")), areas)][:1]
    for item in flood if in_area else []:
        spec = event_for(str(item.get("kind_name") or ""))
        if spec is not None:
            rivers = [_area(a.get("code"), a.get("name")) for a in item.get("areas", [])] + prefecture
            made.append(_jma_alert(session, report, spec, base_name(item["kind_name"]), spec.key, False,
                                   rivers, {}))
    rain = [i for i in items if i.get("type") == "heavy_rain" and mie.in_scope(str(i.get("area_code")), areas)]
    if rain:
        area_list = [_area(i.get("area_code"), i.get("area_name")) for i in rain]
        made.append(_jma_alert(session, report, EVENTS["記録的短時間大雨情報"], "記録的短時間大雨情報",
                               "record_rain", False, area_list, {}))
    made.append(_quake_alert(session, report, areas))
    return [a for a in made if a is not None]


def alert_from_gauge(session: Session, reading: GaugeReadingRow) -> AlertRow | None:
    """An alert when a gauge rises to 氾濫注意水位 or above, and an all-clear when it falls back."""
    alert_id = f"gauge-{reading.id}"
    if reading.crossing not in ("up", "down") or session.get(AlertRow, alert_id) is not None:
        return None
    ref = f"gauge:{reading.gauge_id}"
    previous = _latest_gauge_alert(session, ref)
    area = {"code": ref, "name": reading.name, "lat": reading.lat, "lng": reading.lng}
    town = nearest(reading.lat, reading.lng)
    where = [area, {"code": town.code, "name": town.name}] if town is not None else [area]
    slots: dict[str, Any] = {"river": reading.river, "station": reading.name, "time": reading.observed_at.isoformat(),
                             "level_m": reading.level_m, "source": "gauge"}
    if reading.crossing == "up":
        if reading.warning_level < 2:
            return None
        threshold = reading.threshold_name or CAUTION_THRESHOLD
        level = max(reading.warning_level, threshold_level(threshold))
        alert = AlertRow(id=alert_id, source="gauge", ref=ref, hazard="flood", event=threshold, level=level,
                         severity=GAUGE_SEVERITY.get(level, "Moderate"), urgency="Immediate",
                         certainty="Observed", msg_type="Alert" if previous is None else "Update",
                         status="Actual", areas=where, slots={**slots, "kind": "gauge_up", "threshold": threshold},
                         sent=reading.observed_at, expires=None)
        return _add(session, alert, previous)
    if previous is None or (previous.slots.get("kind") == "gauge_down" and (previous.level or 0) < 2):
        return None  # nothing announced, or the all-clear was already sent
    fell_below = previous.event if reading.warning_level >= 2 else CAUTION_THRESHOLD
    alert = AlertRow(id=alert_id, source="gauge", ref=ref, hazard="flood", event=fell_below,
                     level=reading.warning_level, severity=GAUGE_SEVERITY.get(reading.warning_level, "Minor"),
                     urgency="Past" if reading.warning_level < 2 else "Expected", certainty="Observed",
                     msg_type="Update", status="Actual", areas=where,
                     slots={**slots, "kind": "gauge_down", "threshold": fell_below,
                            "all_clear": reading.warning_level < 2},
                     sent=reading.observed_at, expires=None)
    return _add(session, alert, previous)


def _latest_gauge_alert(session: Session, ref: str) -> AlertRow | None:
    stmt = select(AlertRow).where(AlertRow.source == "gauge", AlertRow.ref == ref)
    return session.scalars(stmt.order_by(AlertRow.sent.desc()).limit(1)).first()


def alert_from_incident(session: Session, incident: Incident, actor: str) -> AlertRow:
    """The resident alert for an operator-confirmed incident (called by triage.confirm only)."""
    alert_id = f"incident-{incident.id}"
    existing = session.get(AlertRow, alert_id)
    if existing is not None:
        return existing
    now = incident.updated_at
    area = {"code": incident.municipality_code or "", "name": incident.municipality or incident.place_name,
            "lat": incident.lat, "lng": incident.lng}
    alert = AlertRow(
        id=alert_id, source="incident", ref=f"incident:{incident.id}", hazard=incident.hazard,
        event=incident.hazard, level=None, severity=INCIDENT_SEVERITY.get(incident.severity, "Minor"),
        urgency="Immediate", certainty="Observed", msg_type="Alert", status="Actual", areas=[area],
        slots={"kind": "incident", "hazard": incident.hazard, "place": incident.place_name,
               "time": now.isoformat(), "confirmed_by": actor, "source": "incident"},
        sent=now, expires=None,
    )
    return _add(session, alert, None)

