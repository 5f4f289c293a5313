"""Resident alerts: relayed JMA information, river-threshold crossings and operator-confirmed incidents.

Only these three paths create alerts; AI-flagged posts never do (an operator's confirm() is required).
Ids are derived from what the alert came from, so running again for the same input adds nothing.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kernel.store import alerts as stored
from kernel.store.models import AlertRow, EvacuationRow, GaugeReadingRow, IncidentRow, OfficialReportRow
from publish.events import CAUTION_THRESHOLD, cap_status, threshold_level
from publish.municipalities import by_code, nearest
from publish.relay import PlannedAlert, RelayPlan, Telegram, plan_report

log = logging.getLogger(__name__)
INCIDENT_SEVERITY = {5: "Extreme", 4: "Severe", 3: "Moderate"}
GAUGE_SEVERITY = {5: "Extreme", 4: "Severe", 3: "Severe", 2: "Moderate"}
EVACUATION_SEVERITY = {5: "Extreme", 4: "Severe", 3: "Moderate"}
INCIDENT_EXPIRY = timedelta(hours=24)  # a confirmed incident's alert, unless the operator ends it sooner


def _codes(alert: AlertRow) -> frozenset[str]:
    return frozenset(str(a.get("code") or "") for a in alert.areas)


def _add(session: Session, alert: AlertRow, replaced: list[AlertRow]) -> AlertRow:
    """Store a new alert; the alerts it replaces end now and are named in its CAP references."""
    if replaced:
        alert.references = replaced[0].id
        alert.slots = {**alert.slots, "references": [{"id": r.id, "sent": r.sent.isoformat()} for r in replaced]}
    for old in replaced:
        old.ended_at = alert.sent
    stored.add(session, alert)
    log.info("alert_created id=%s source=%s event=%s msg_type=%s replaces=%s", alert.id, alert.source,
             alert.event, alert.msg_type, ",".join(r.id for r in replaced) or "-")
    return alert


def planned_alert_row(report_id: str | int, report: Telegram, planned: PlannedAlert, msg_type: str) -> AlertRow:
    """The alert row of one planned alert (not added to a session: ``bosai relay`` renders it as it is)."""
    spec = planned.spec
    slots = {"kind": "lifted" if planned.lifted else spec.template, "event_key": spec.event_key,
             "event_name": planned.event, "kind_code": spec.code, "category": spec.category, "hazard": spec.hazard,
             "time": report.report_datetime.isoformat(), "source": "jma", **planned.slots}
    return AlertRow(
        id=f"jma-{report_id}-{_short(planned.key)}", source="jma", ref=f"official:{report_id}", hazard=spec.hazard,
        event=planned.event, level=None if planned.lifted else spec.level,
        severity="Minor" if planned.lifted else spec.severity, urgency="Past" if planned.lifted else spec.urgency,
        certainty="Observed" if planned.lifted else spec.certainty, msg_type=msg_type,
        status=cap_status(report.status, report.headline), areas=[dict(a) for a in planned.areas], slots=slots,
        sent=report.report_datetime, expires=planned.expires, family=spec.family,
    )


def _short(key: str) -> str:
    """An id part of bounded length (river families name long codes)."""
    return key if len(key) <= 48 else hashlib.sha256(key.encode()).hexdigest()[:16]


def _cancel_row(report: OfficialReportRow, old: AlertRow, areas: list[dict[str, Any]]) -> AlertRow:
    return AlertRow(
        id=f"jma-{report.id}-cancel-{_short(old.id)}", source=old.source, ref=f"official:{report.id}",
        hazard=old.hazard, event=old.event, level=None, severity="Minor", urgency="Past", certainty="Observed",
        msg_type="Cancel", status=cap_status(report.status, report.headline), areas=list(areas),
        slots={**old.slots, "kind": "lifted", "time": report.report_datetime.isoformat()},
        sent=report.report_datetime, expires=None, family=old.family,
    )


def _same(alert: AlertRow, planned: PlannedAlert) -> bool:
    """Whether a stored alert already says what the plan says (a 継続 restating it)."""
    slots = alert.slots or {}
    return (alert.event == planned.event and alert.level == planned.spec.level and _codes(alert) == planned.codes
            and slots.get("intensity") == planned.slots.get("intensity"))


def alerts_from_report(session: Session, report: OfficialReportRow, *, areas: list[str]) -> list[AlertRow]:
    """Apply a JMA telegram to the alerts in force for ``areas``: new, updated, kept, ended and cancelled.

    Per family, an alert the telegram restates stays (its expiry moves on); a changed kind replaces the
    alerts it overlaps (msg_type Update, CAP references); an alert whose areas the telegram restates with
    nothing of its family in force ends with a Cancel. A telegram older than what is in force is ignored.
    """
    if report.info_type == "取消":
        return _withdraw(session, report)
    plan = plan_report(report, areas)
    made: list[AlertRow] = []
    families = set(plan.covered) | {p.spec.family for p in plan.alerts}
    for family in sorted(families):
        made.extend(_apply_family(session, report, plan, family))
    return made


def _apply_family(session: Session, report: OfficialReportRow, plan: RelayPlan, family: str) -> list[AlertRow]:
    planned = [p for p in plan.alerts if p.spec.family == family and not p.lifted]
    if family not in plan.covered:  # observations (記録的短時間大雨, 線状降水帯): each telegram is news
        rows = [planned_alert_row(report.id, report, p, "Alert") for p in planned]
        return [_add(session, row, []) for row in rows if stored.row(session, row.id) is None]
    covered = plan.covered[family]
    active = stored.active_in_family(session, family, report.report_datetime)
    if any(a.sent > report.report_datetime and _codes(a) & (covered | _union(planned)) for a in active):
        log.warning("jma_report_older_than_state id=%s family=%s not_applied=true", report.id, family)
        return []
    restated = [a for a in active if _codes(a) and _codes(a) <= covered]  # the telegram states all its areas
    kept: set[str] = set()
    replaced_by: set[str] = set()
    made: list[AlertRow] = []
    for p in planned:
        same = next((a for a in active if _same(a, p)), None)
        if same is not None:
            kept.add(same.id)
            if p.expires is not None and (same.expires is None or p.expires > same.expires):
                same.expires = p.expires
            continue
        row = planned_alert_row(report.id, report, p, "Alert")
        if stored.row(session, row.id) is not None:
            continue
        overlaps = [a for a in active if a.id not in kept and _codes(a) & p.codes]
        row.msg_type = "Update" if overlaps else "Alert"
        replaced_by.update(a.id for a in overlaps)
        made.append(_add(session, row, overlaps))
    still = _union(planned)
    for old in active:
        if old.id in kept or (old.id not in replaced_by and old not in restated):
            continue
        gone = [a for a in old.areas if str(a.get("code") or "") in covered - still]
        cancel = _cancel_row(report, old, gone)
        if gone and stored.row(session, cancel.id) is None:  # areas left with nothing of the family
            made.append(_add(session, cancel, [old]))
    return made


def _union(planned: list[PlannedAlert]) -> frozenset[str]:
    return frozenset().union(*(p.codes for p in planned))


def _withdraw(session: Session, report: OfficialReportRow) -> list[AlertRow]:
    """InfoType 取消: the alerts relayed from reports with the same EventID end with a Cancel."""
    if not report.event_id:
        log.warning("jma_report_cancelled_without_event_id id=%s title=%s", report.id, report.title)
        return []
    withdrawn = [a for a in stored.unended(session, "jma") if (a.slots or {}).get("event_id") == report.event_id]
    made = []
    for old in withdrawn:
        cancel = _cancel_row(report, old, list(old.areas))
        if stored.row(session, cancel.id) is None:
            made.append(_add(session, cancel, [old]))
    log.warning("jma_report_cancelled id=%s event_id=%s alerts_withdrawn=%d", report.id, report.event_id, len(made))
    return made


def alert_from_gauge(session: Session, reading: GaugeReadingRow) -> AlertRow | None:
    """An alert when a gauge rises to 氾濫注意水位 or above; falling back replaces it, below 注意 ends it.

    A rise or a fall that stays at or above 氾濫注意水位 is an Update that replaces the gauge's alert in force;
    a fall below it is a Cancel (the all-clear), after which the gauge has no alert in force.
    """
    alert_id = f"gauge-{reading.id}"
    if reading.crossing not in ("up", "down") or stored.row(session, alert_id) is not None:
        return None
    ref = f"gauge:{reading.gauge_id}"
    active = stored.active_in_family(session, ref, reading.observed_at)
    area = {"code": ref, "name": reading.name, "lat": reading.lat, "lng": reading.lng}
    town = nearest(reading.lat, reading.lng)
    where = [area, {"code": town.code, "name": town.name}] if town is not None else [area]
    slots: dict[str, Any] = {"river": reading.river, "station": reading.name, "time": reading.observed_at.isoformat(),
                             "level_m": reading.level_m, "source": "gauge"}
    common = {"id": alert_id, "source": "gauge", "ref": ref, "hazard": "flood", "certainty": "Observed",
              "status": "Actual", "areas": where, "sent": reading.observed_at, "expires": None, "family": ref}
    if reading.crossing == "up":
        if reading.warning_level < 2:
            return None
        threshold = reading.threshold_name or CAUTION_THRESHOLD
        level = max(reading.warning_level, threshold_level(threshold))
        alert = AlertRow(**common, event=threshold, level=level, severity=GAUGE_SEVERITY.get(level, "Moderate"),
                         urgency="Immediate", msg_type="Update" if active else "Alert",
                         slots={**slots, "kind": "gauge_up", "threshold": threshold})
        return _add(session, alert, active)
    if not active:
        return None  # nothing announced, or the all-clear was already sent
    all_clear = reading.warning_level < 2
    fell_below = active[-1].event if not all_clear else CAUTION_THRESHOLD
    alert = AlertRow(**common, event=fell_below, level=reading.warning_level,
                     severity=GAUGE_SEVERITY.get(reading.warning_level, "Minor"),
                     urgency="Past" if all_clear else "Expected", msg_type="Cancel" if all_clear else "Update",
                     slots={**slots, "kind": "gauge_down", "threshold": fell_below, "all_clear": all_clear})
    return _add(session, alert, active)


def alert_from_incident(session: Session, incident: IncidentRow, actor: str) -> AlertRow:
    """The resident alert for an operator-confirmed incident (called by triage.confirm only)."""
    alert_id = f"incident-{incident.id}"
    existing = stored.row(session, alert_id)
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
        sent=now, expires=now + INCIDENT_EXPIRY, family=f"incident:{incident.id}",
    )
    return _add(session, alert, [])



def alert_from_evacuation(session: Session, evacuation: EvacuationRow, *, key: str, event: str, event_key: str,
                          sent: datetime, lifted: bool, status: str = "Actual") -> AlertRow | None:
    """The resident alert for a municipality's evacuation information, relayed with the municipality as source.

    Its family is the evacuation episode: 発令 is an Alert, a change of level an Update that replaces the alert
    in force, 解除 a Cancel that ends it. No expiry: it stays until the municipality lifts it, because an
    evacuation order must not drop off residents' screens on a timer. ``key`` names the notice, so applying
    the same notice again adds nothing; None when a 解除 finds nothing in force.
    """
    alert_id = f"evac-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
    existing = stored.row(session, alert_id)
    if existing is not None:
        return existing
    family = f"evacuation:{evacuation.id}"
    active = stored.active_in_family(session, family, sent)
    if lifted and not active:
        return None
    level = None if lifted else evacuation.level
    area: dict[str, Any] = {"code": evacuation.municipality_code, "name": evacuation.municipality}
    office = by_code(evacuation.municipality_code)
    if office is not None:
        area.update(lat=office.lat, lng=office.lng)
    alert = AlertRow(
        id=alert_id, source="municipality", ref=f"evacuation:{evacuation.id}", hazard=evacuation.hazard,
        event=event, level=level, severity="Minor" if lifted else EVACUATION_SEVERITY.get(evacuation.level, "Severe"),
        urgency="Past" if lifted else ("Expected" if evacuation.level == 3 else "Immediate"),
        certainty="Observed" if lifted else "Likely",
        msg_type="Cancel" if lifted else ("Update" if active else "Alert"),
        status=status if status in ("Actual", "Exercise") else "Actual", areas=[area],
        slots={"kind": "evacuation_lifted" if lifted else "evacuation", "event_key": event_key, "event_name": event,
               "hazard": evacuation.hazard, "category": "Safety", "time": sent.isoformat(), "source": "municipality",
               "place": evacuation.municipality, "municipality_code": evacuation.municipality_code,
               "towns": list(evacuation.towns or [])},
        sent=sent, expires=None, family=family,
    )
    return _add(session, alert, active)

