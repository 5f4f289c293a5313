"""Live events of the stages, built after the commit from the frozen records a transaction returned."""

from __future__ import annotations

from typing import Any, Protocol

from kernel.published import Alert, Evacuation, Incident, MapPost
from kernel.records import GaugeReading
from publish import evacuations, geojson

Event = tuple[str, dict[str, Any]]
# What a stage transaction returns for the live map: a record of what it committed, or an event's plain data.
Snapshot = Alert | Incident | MapPost | GaugeReading | Evacuation | dict[str, Any]


class EventSink(Protocol):
    """Where the stages send live events: the local hub, or a fan-out to every process."""

    def publish(self, name: str, data: dict[str, Any]) -> None:
        """Send one event."""
        ...


def event_data(snapshot: Snapshot) -> dict[str, Any]:
    """The data of the live event of one snapshot (GeoJSON for what the map draws)."""
    if isinstance(snapshot, Alert):
        return geojson.alert_json(snapshot)
    if isinstance(snapshot, Incident):
        return geojson.incident_feature(snapshot)
    if isinstance(snapshot, MapPost):
        return geojson.posts_geojson([snapshot])["features"][0]
    if isinstance(snapshot, GaugeReading):
        return geojson.gauges_geojson([snapshot])["features"][0]
    if isinstance(snapshot, Evacuation):
        return evacuations.feature(snapshot)
    return snapshot


def publish_all(sink: EventSink, snapshots: list[tuple[str, Snapshot]]) -> None:
    """Send one event per (name, snapshot), in order."""
    for name, snapshot in snapshots:
        sink.publish(name, event_data(snapshot))
