"""Municipal evacuation information (高齢者等避難 / 避難指示 / 緊急安全確保): apply a notice to the stored
state, audited, and turn it into a resident alert through the shared lifecycle (publish.alerts).

Both paths use :func:`apply_notice`: an operator's entry in the command center and a CAP 1.2 message from a
municipal system (collectors.cap_evacuation). The service relays; the municipality is named as the source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from kernel.published import Alert, Evacuation
from kernel.records import EvacuationNotice
from kernel.store import evacuations as store
from kernel.store.models import AlertRow, EvacuationRow
from kernel.store.snapshots import alert_record, evacuation_record
from publish.alerts import alert_from_evacuation
from publish.municipalities import by_code

log = logging.getLogger(__name__)

# 警戒レベル -> (the official name, the message-catalog term id: glossary keys)
LEVELS: Final = {3: ("高齢者等避難", "elderly_evacuation"), 4: ("避難指示", "evacuation_instruction"),
                 5: ("緊急安全確保", "emergency_safety_measure")}
LEVEL_BY_NAME: Final = {name: level for level, (name, _key) in LEVELS.items()}
# The reasons a municipality gives (CAP parameter or operator entry) -> hazard keys of the alerts.
HAZARDS: Final = ("heavy_rain", "flood", "landslide", "storm_surge", "tsunami", "earthquake", "fire",
                  "inland_flooding", "other")
HAZARD_WORDS: Final = (("土砂", "landslide"), ("がけ", "landslide"), ("高潮", "storm_surge"), ("津波", "tsunami"),
                       ("内水", "inland_flooding"), ("洪水", "flood"), ("氾濫", "flood"), ("浸水", "flood"),
                       ("大雨", "heavy_rain"), ("地震", "earthquake"), ("火災", "fire"))
MAX_TOWNS: Final = 50


class NoticeError(ValueError):
    """A notice that cannot be applied (unknown municipality, bad level ...): the message says why."""


@dataclass(frozen=True, slots=True)
class Applied:
    """What a notice did: ``action`` is issue, raise, lower, lift, unchanged, stale or nothing_to_lift;
    ``evacuation`` the episode and ``alert`` the resident alert it gave, as committed."""

    action: str
    evacuation: Evacuation | None
    alert: Alert | None

    @property
    def changed(self) -> bool:
        """Whether the stored state changed (and an audit row was written)."""
        return self.action in ("issue", "raise", "lower", "lift")


def hazard_key(value: str) -> str:
    """A hazard key from a key or a Japanese reason (洪水, 土砂災害 ...); ``other`` when it names none."""
    value = (value or "").strip()
    if value in HAZARDS:
        return value
    return next((key for word, key in HAZARD_WORDS if word in value), "other")


def level_name(level: int) -> str:
    """The official name of a level (避難指示 for 4)."""
    return LEVELS[level][0]


def check_notice(notice: EvacuationNotice) -> str:
    """The municipality's name, or NoticeError saying what is wrong with the notice."""
    office = by_code(notice.municipality_code)
    if office is None or len(notice.municipality_code) != 5:
        raise NoticeError(f"municipality_code: {notice.municipality_code!r} is not one of Mie's 29 municipalities")
    if not notice.lifted and notice.level not in LEVELS:
        raise NoticeError("level: expected 3 (高齢者等避難), 4 (避難指示) or 5 (緊急安全確保)")
    if len(notice.towns) > MAX_TOWNS:
        raise NoticeError(f"towns: at most {MAX_TOWNS}")
    return office.name


def apply_notice(session: Session, notice: EvacuationNotice, *, actor: str) -> Applied:
    """Apply one notice: 発令 creates an episode, another level updates it, 解除 ends it; each change is
    audited and gives the resident alert (Alert / Update / Cancel). A notice older than the state in force
    is not applied (late or resent messages), and restating the level in force changes nothing."""
    name = check_notice(notice)
    towns = sorted({t.strip() for t in notice.towns if t.strip()})
    at = notice.observed_at
    active = store.active_evacuation(session, notice.municipality_code, towns)
    if active is not None and at < active.updated_at:
        log.warning("evacuation_notice_older_than_state code=%s source=%s id=%s", notice.municipality_code,
                    notice.source, notice.source_id)
        return Applied("stale", evacuation_record(active), None)
    key = f"{notice.source}\0{notice.source_id}"
    if notice.lifted:
        if active is None:
            return Applied("nothing_to_lift", None, None)
        before = store.evacuation_state(active)
        active.lifted_at = active.updated_at = at
        alert = alert_from_evacuation(session, active, key=key, event=level_name(active.level),
                                      event_key=LEVELS[active.level][1], sent=at, lifted=True,
                                      status=notice.status)
        return _audited(session, "lift", active, alert, before, actor)
    level = int(notice.level or 0)
    hazard = hazard_key(notice.hazard) if notice.hazard else (active.hazard if active else "other")
    if active is not None and active.level == level:
        return Applied("unchanged", evacuation_record(active), None)
    if active is None:
        action, before = "issue", None
        active = store.add_evacuation(session, municipality_code=notice.municipality_code, municipality=name,
                                      towns=towns, level=level, hazard=hazard, at=at, source=notice.source,
                                      sender=notice.sender or actor)
    else:
        action, before = ("raise" if level > active.level else "lower"), store.evacuation_state(active)
        active.level, active.hazard, active.updated_at = level, hazard, at
    alert = alert_from_evacuation(session, active, key=key, event=level_name(level), event_key=LEVELS[level][1],
                                  sent=at, lifted=False, status=notice.status)
    return _audited(session, action, active, alert, before, actor)


def _audited(session: Session, action: str, row: EvacuationRow, alert: AlertRow | None,
             before: dict[str, Any] | None, actor: str) -> Applied:
    if alert is not None:
        row.alert_id = alert.id
    session.flush()
    store.add_audit(session, at=row.updated_at, actor=actor, action=action, entity="evacuation",
                    entity_id=str(row.id), before=before, after=store.evacuation_state(row))
    log.info("evacuation_%s id=%s code=%s level=%s actor=%s", action, row.id, row.municipality_code, row.level,
             actor)
    return Applied(action, evacuation_record(row), None if alert is None else alert_record(alert))


def evacuation_feature(evacuation: Evacuation, point: tuple[float, float] | None) -> dict[str, Any]:
    """One evacuation episode as a GeoJSON Feature at the municipality's point (pure: the caller looks it up).

    ``source`` is the municipality (the issuer), ``received_via`` how it reached the service.
    """
    e = evacuation
    geometry = {"type": "Point", "coordinates": [point[1], point[0]]} if point is not None else None
    props = {"kind": "evacuation", "id": e.id, "municipality_code": e.municipality_code,
             "municipality": e.municipality, "towns": list(e.towns), "level": e.level, "name": level_name(e.level),
             "hazard": e.hazard, "issued": e.issued_at.isoformat(), "updated": e.updated_at.isoformat(),
             "lifted": e.lifted_at.isoformat() if e.lifted_at else None, "in_force": e.lifted_at is None,
             "source": e.municipality, "received_via": e.source, "alert_id": e.alert_id}
    return {"type": "Feature", "id": f"evacuation-{e.id}", "geometry": geometry, "properties": props}


def feature(evacuation: Evacuation) -> dict[str, Any]:
    """The Feature of an episode at its municipality's office (reference data, publish.municipalities)."""
    office = by_code(evacuation.municipality_code)
    return evacuation_feature(evacuation, (office.lat, office.lng) if office is not None else None)


def evacuations_geojson(evacuations: list[Evacuation], points: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """Evacuation episodes as a FeatureCollection (the GET /api/evacuations body)."""
    return {"type": "FeatureCollection",
            "features": [evacuation_feature(e, points.get(e.municipality_code)) for e in evacuations]}
