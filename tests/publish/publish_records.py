"""Frozen records for the renderer tests, built directly: no database, no session.

``sample_alerts`` are one alert of every kind the service makes, field for field as publish.alerts makes
them (tests/publish/test_publish_alerts.py checks that the made ones render alike), one of them with hostile
HTML in its place name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kernel.published import Alert, Incident, MapPost
from kernel.records import GaugeReading

T0 = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)  # 19:00 JST
SENT = T0 + timedelta(minutes=40)  # 19:40 JST
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'
YOKKAICHI = {"code": "2420200", "name": "四日市市"}
GAUGE_AREAS = ({"code": "gauge:suzuka-takaoka", "name": "高岡", "lat": 34.966, "lng": 136.626},
               {"code": "24202", "name": "四日市市"})


def alert(alert_id: str, *, hazard: str, event_key: str | None, level: int | None, kind: str = "issued",
          areas: list[dict[str, Any]] | None = None, source: str = "jma", sent: datetime = SENT,
          **slots: Any) -> Alert:
    """An alert the way publish.alerts fills it, with the slots given."""
    all_slots = {"kind": kind, "time": sent.isoformat(), "source": source, **slots}
    if event_key:
        all_slots["event_key"] = event_key
    return Alert(id=alert_id, source=source, ref=f"test:{alert_id}", hazard=hazard,
                 event=str(slots.get("event_name") or slots.get("threshold") or hazard), level=level,
                 severity="Severe", urgency="Immediate", certainty="Likely",
                 msg_type="Cancel" if kind == "lifted" else "Alert", status="Actual",
                 areas=tuple(areas if areas is not None else [YOKKAICHI]), slots=all_slots, sent=sent, expires=None,
                 references=None, family=None, ended_at=None)


def _jma(alert_id: str, **fields: Any) -> Alert:
    values: dict[str, Any] = {"id": alert_id, "source": "jma", "ref": "official:1", "hazard": "heavy_rain",
                              "event": "大雨警報", "level": 3, "severity": "Severe", "urgency": "Expected",
                              "certainty": "Likely", "msg_type": "Alert", "status": "Actual", "areas": (YOKKAICHI,),
                              "sent": T0, "expires": T0 + timedelta(days=1), "references": None,
                              "family": "heavy_rain", "ended_at": None}
    values.update(fields)
    return Alert(**values)


def sample_alerts() -> list[Alert]:
    """A JMA warning, its lifting, an earthquake, a gauge rise and all-clear, and a confirmed incident."""
    warning_slots = {"kind": "issued", "event_key": "heavy_rain_warning", "event_name": "大雨警報", "kind_code": "03",
                     "category": "Met", "hazard": "heavy_rain", "time": T0.isoformat(), "source": "jma"}
    lifted_at = T0 + timedelta(minutes=90)
    warning = _jma("jma-1-heavy_rain-heavy_rain_warning-issued", slots=warning_slots, ended_at=lifted_at)
    lifted = _jma("jma-2-cancel-jma-1-heavy_rain-heavy_rain_warning-issued", ref="official:2", level=None,
                  severity="Minor", urgency="Past", certainty="Observed", msg_type="Cancel", sent=lifted_at,
                  expires=None, references=warning.id,
                  slots={**warning_slots, "kind": "lifted", "time": lifted_at.isoformat(),
                         "references": [{"id": warning.id, "sent": T0.isoformat()}]})
    quake = _jma("jma-3-quake", ref="official:3", hazard="earthquake", event="地震情報", level=None,
                 severity="Moderate", urgency="Past", certainty="Observed",
                 areas=({"code": "460", "name": "三重県北部"},), expires=T0 + timedelta(hours=12), family="earthquake",
                 slots={"kind": "earthquake", "event_key": "earthquake_info", "event_name": "地震情報", "kind_code": "",
                        "category": "Geo", "hazard": "earthquake", "time": T0.isoformat(), "source": "jma",
                        "intensity": "5-", "origin_time": T0.isoformat()})
    rose, fell = T0 + timedelta(minutes=5), T0 + timedelta(minutes=50)
    gauge_slots = {"river": "鈴鹿川", "station": "高岡", "level_m": 4.1, "source": "gauge"}
    gauge_up = Alert(id="gauge-4", source="gauge", ref="gauge:suzuka-takaoka", hazard="flood", event="氾濫危険水位",
                     level=4, severity="Severe", urgency="Immediate", certainty="Observed", msg_type="Alert",
                     status="Actual", areas=GAUGE_AREAS, sent=rose, expires=None, references=None,
                     family="gauge:suzuka-takaoka", ended_at=fell,
                     slots={**gauge_slots, "time": rose.isoformat(), "kind": "gauge_up", "threshold": "氾濫危険水位"})
    gauge_down = Alert(id="gauge-5", source="gauge", ref="gauge:suzuka-takaoka", hazard="flood", event="氾濫注意水位",
                       level=1, severity="Minor", urgency="Past", certainty="Observed", msg_type="Cancel",
                       status="Actual", areas=GAUGE_AREAS, sent=fell, expires=None, references="gauge-4",
                       family="gauge:suzuka-takaoka", ended_at=None,
                       slots={**gauge_slots, "time": fell.isoformat(), "kind": "gauge_down",
                              "threshold": "氾濫注意水位", "all_clear": True,
                              "references": [{"id": "gauge-4", "sent": rose.isoformat()}]})
    confirmed = T0 + timedelta(minutes=20)
    incident = Alert(id="incident-1", source="incident", ref="incident:1", hazard="flood", event="flood", level=None,
                     severity="Minor", urgency="Immediate", certainty="Observed", msg_type="Alert", status="Actual",
                     areas=({"code": "24202", "name": HOSTILE, "lat": 34.965, "lng": 136.624},), sent=confirmed,
                     expires=confirmed + timedelta(hours=24), references=None, family="incident:1", ended_at=None,
                     slots={"kind": "incident", "hazard": "flood", "place": HOSTILE, "time": confirmed.isoformat(),
                            "confirmed_by": "tanaka", "source": "incident"})
    return [warning, lifted, quake, gauge_up, gauge_down, incident]


def incident(incident_id: int = 1, **fields: Any) -> Incident:
    """A confirmed flood incident in 四日市市 (fields override)."""
    values: dict[str, Any] = {"id": incident_id, "hazard": "flood", "title": f"冠水 {HOSTILE}", "lat": 34.965,
                              "lng": 136.624, "place_name": "四日市市", "municipality": "四日市市",
                              "municipality_code": "24202", "severity": 2, "status": "confirmed", "first_seen": T0,
                              "last_seen": T0, "post_count": 1, "duplicate_count": 0, "corroborated_by": (),
                              "merged_into": None, "updated_at": T0}
    values.update(fields)
    return Incident(**values)


def post(post_id: int = 1, **fields: Any) -> MapPost:
    """A flagged, placed post (fields override)."""
    values: dict[str, Any] = {"id": post_id, "source": "x_mie", "author": "user1", "text": f"冠水 {HOSTILE}",
                              "url": None, "label": "disaster", "score": 0.9, "categories": (("flood", 0.92),),
                              "place": "四日市市", "lat": 34.965, "lng": 136.624, "municipality": "四日市市",
                              "observed_at": T0, "incident_id": 1}
    values.update(fields)
    return MapPost(**values)


def reading(minutes: float = 0, **fields: Any) -> GaugeReading:
    """A reading of the 高岡 gauge ``minutes`` after T0 (fields override)."""
    at = T0 + timedelta(minutes=minutes)
    values: dict[str, Any] = {"source": "river", "source_id": f"g@{at.isoformat()}", "observed_at": at,
                              "gauge_id": "suzuka-takaoka", "name": "高岡", "river": "鈴鹿川", "lat": 34.966,
                              "lng": 136.626, "level_m": 4.1, "warning_level": 4, "threshold_name": "氾濫危険水位"}
    values.update(fields)
    return GaugeReading(**values)
