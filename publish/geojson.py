"""GeoJSON and JSON views of incidents, posts, gauges and alerts for the API and the live map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from kernel.published import Alert, Incident, MapPost
from kernel.records import GaugeReading
from publish.catalog import LANGUAGES
from publish.colors import level_color
from publish.safe_text import for_display


def _point(lng: float, lat: float, properties: dict[str, Any], feature_id: str) -> dict[str, Any]:
    return {"type": "Feature", "id": feature_id, "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": properties}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def incident_feature(incident: Incident) -> dict[str, Any]:
    """One incident as a GeoJSON Feature (colour from its 1..5 severity)."""
    return _point(incident.lng, incident.lat, {
        "kind": "incident", "id": incident.id, "hazard": incident.hazard, "title": for_display(incident.title),
        "place": incident.place_name, "municipality": incident.municipality,
        "municipality_code": incident.municipality_code, "severity": incident.severity,
        "color": level_color(incident.severity), "status": incident.status,
        "first_seen": incident.first_seen.isoformat(), "last_seen": incident.last_seen.isoformat(),
        "post_count": incident.post_count, "duplicate_count": incident.duplicate_count,
        "corroborated_by": list(incident.corroborated_by), "merged_into": incident.merged_into,
        "updated_at": incident.updated_at.isoformat(),
    }, f"incident-{incident.id}")


def incidents_geojson(incidents: Iterable[Incident]) -> dict[str, Any]:
    """Incidents as a FeatureCollection (the /api/incidents body)."""
    return _collection([incident_feature(i) for i in incidents])


def posts_geojson(posts: Iterable[MapPost]) -> dict[str, Any]:
    """Placed posts as a FeatureCollection; text is data, never markup (the client must escape it), and is
    shown without bidi controls and zero-width characters."""
    return _collection([_point(p.lng, p.lat, {
        "kind": "post", "id": p.id, "source": p.source, "author": for_display(p.author), "text": for_display(p.text),
        "url": p.url, "label": p.label, "score": p.score,
        "categories": [{"name": name, "score": score} for name, score in p.categories],
        "place": p.place, "municipality": p.municipality,
        "observed_at": p.observed_at.isoformat(), "incident_id": p.incident_id,
    }, f"post-{p.id}") for p in posts if p.lat is not None and p.lng is not None])


def gauges_geojson(readings: Iterable[GaugeReading]) -> dict[str, Any]:
    """The latest reading of each gauge as a FeatureCollection (colour from its 警戒レベル相当)."""
    latest: dict[str, GaugeReading] = {}
    for r in readings:
        if r.gauge_id not in latest or r.observed_at > latest[r.gauge_id].observed_at:
            latest[r.gauge_id] = r
    return _collection([_point(r.lng, r.lat, {
        "kind": "gauge", "gauge_id": r.gauge_id, "name": r.name, "river": r.river, "level_m": r.level_m,
        "warning_level": r.warning_level, "color": level_color(r.warning_level),
        "threshold_name": r.threshold_name, "trend_m_per_h": r.trend_m_per_h, "crossing": r.crossing,
        "stale": r.stale, "observed_at": r.observed_at.isoformat(),
    }, f"gauge-{r.gauge_id}") for r in latest.values()])


def alert_json(alert: Alert) -> dict[str, Any]:
    """One alert for ``/api/alerts``: id, source, hazard, areas, sent, languages and the CAP grading."""
    return {
        "id": alert.id, "source": alert.source, "hazard": alert.hazard, "event": alert.event,
        "areas": [dict(a) for a in alert.areas], "sent": alert.sent.isoformat(),
        "languages": list(LANGUAGES), "level": alert.level, "color": level_color(alert.level),
        "severity": alert.severity, "urgency": alert.urgency, "certainty": alert.certainty,
        "msg_type": alert.msg_type, "status": alert.status, "references": alert.references,
        "expires": alert.expires.isoformat() if alert.expires else None, "cap": f"/cap/{alert.id}.xml",
        "ended_at": alert.ended_at.isoformat() if alert.ended_at else None,
        "kind_code": (alert.slots or {}).get("kind_code"),
    }


WARNING_AREA_SOURCES: Final = ("jma", "municipality")  # official; gauges are points, incidents not warnings
MIN_AREA_LEVEL: Final = 2  # below level 2 the convention has no colour (white): not drawn


def warning_areas_geojson(warnings: Iterable[dict[str, Any]], alerts: Iterable[Alert]) -> dict[str, Any]:
    """Warnings in force as area polygons coloured by the highest level in force in each area.

    ``warnings`` are ``kernel.store.observations.current_warnings`` rows (municipality-level JMA warnings);
    ``alerts`` are the alerts in force, whose areas may be JMA forecast areas (drawn as the union of their
    municipalities) or municipalities (evacuation information). Features come lowest level first, larger areas
    first within a level, so a map that draws them in order shows the highest level on top.
    """
    from publish.boundaries import area_geometry, names

    areas: dict[str, dict[str, Any]] = {}

    def add(code: str, name: str, kind: str, level: int | None, source: str) -> None:
        found = area_geometry(code)
        if found is None or (level or 0) < MIN_AREA_LEVEL:
            return
        geometry, members = found
        key = next(iter(members)) if len(members) == 1 else code
        area = areas.setdefault(key, {"geometry": geometry, "code": key, "name": names().get(key) or name,
                                      "municipalities": sorted(members), "level": 0, "kinds": []})
        area["level"] = max(area["level"], int(level or 0))
        if kind and not any(k["name"] == kind and k["source"] == source for k in area["kinds"]):
            area["kinds"].append({"name": kind, "level": level, "source": source})

    for w in warnings:
        for k in w.get("kinds") or [{"name": "", "level": w.get("level")}]:
            add(str(w["area_code"]), str(w.get("area_name") or ""), str(k.get("name") or ""),
                k.get("level"), "jma")
    for alert in alerts:
        if alert.source in WARNING_AREA_SOURCES:
            for a in alert.areas:
                add(str(a.get("code") or ""), str(a.get("name") or ""), alert.event, alert.level, alert.source)
    ordered = sorted(areas.values(), key=lambda a: (a["level"], -len(a["municipalities"]), a["code"]))
    return _collection([{
        "type": "Feature", "id": f"warning-area-{a['code']}", "geometry": a.pop("geometry"),
        "properties": {"kind": "warning_area", **a, "color": level_color(a["level"]),
                       "kinds": sorted(a["kinds"], key=lambda k: -(k["level"] or 0))},
    } for a in ordered])
