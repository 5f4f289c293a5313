"""Observe: JMA telegrams, gauge readings, camera stills and municipal evacuation notices become alerts,
corroborated incidents and map updates."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from bosai.pipeline.events import Snapshot
from kernel.store import Store, observations, repo
from kernel.store.snapshots import alert_record, gauge_record, incident_record
from publish import alerts, evacuations, incidents

log = logging.getLogger(__name__)


async def observe(store: Store, ids: list[int], *, jma_areas: list[str], window: timedelta,
                  radius_km: float) -> list[tuple[str, Snapshot]]:
    """Apply the observations with these ids; return what changed for the live map, as committed."""

    def save(session: Session) -> list[tuple[str, Snapshot]]:
        out: list[tuple[str, Snapshot]] = []
        for report in observations.report_rows(session, ids):
            out += [("alert", alert_record(a)) for a in alerts.alerts_from_report(session, report, areas=jma_areas)]
            out.append(("warning", {"id": report.id, "title": report.title, "type": report.report_type}))
        for reading, source, source_id in observations.gauge_rows(session, ids):
            alert = alerts.alert_from_gauge(session, reading)
            if alert is not None:
                out.append(("alert", alert_record(alert)))
            out += [("incident", incident_record(i))
                    for i in incidents.corroborate(session, reading, radius_km=radius_km, window=window)]
            out.append(("gauge", gauge_record(reading, source, source_id)))
        for image in observations.camera_rows(session, ids):
            incidents.corroborate(session, image, radius_km=radius_km, window=window)
            out.append(("camera", {"camera_id": image.camera_id, "name": image.name, "lat": image.lat,
                                   "lng": image.lng, "status": image.status}))
        out += _apply_evacuation_notices(session, ids)
        repo.set_state(session, ids, repo.DONE)
        return out

    return await store.write(save)


def _apply_evacuation_notices(session: Session, ids: list[int]) -> list[tuple[str, Snapshot]]:
    """Municipal evacuation notices (CAP) among ``ids``: applied in the order received, as the municipality
    sent them; a notice that cannot be applied is logged and left with its raw item, never retried forever."""
    out: list[tuple[str, Snapshot]] = []
    for item_id, source, notice in repo.evacuation_notices(session, ids):
        try:
            applied = evacuations.apply_notice(session, notice, actor=f"cap:{source}")
        except evacuations.NoticeError as err:
            log.warning("evacuation_notice_not_applied item=%d error=%s", item_id, err)
            continue
        if applied.alert is not None and applied.changed:
            out.append(("alert", applied.alert))
        if applied.evacuation is not None and applied.changed:
            out.append(("evacuation", applied.evacuation))
    return out
