"""GeoJSON and alert JSON shapes used by the API and the live map, rendered from records (no database)."""

from __future__ import annotations

import json
from datetime import datetime

from publish_records import incident, post, reading

from publish.catalog import LANGUAGES
from publish.geojson import alert_json, gauges_geojson, incidents_geojson, posts_geojson


def test_alert_json_has_the_contract_fields(sample_alerts) -> None:
    for alert in sample_alerts:
        item = alert_json(alert)
        assert {"id", "source", "hazard", "areas", "sent", "languages"} <= set(item)
        assert item["languages"] == list(LANGUAGES)
        assert datetime.fromisoformat(item["sent"]).tzinfo is not None
        assert item["source"] in ("jma", "gauge", "incident")
        json.dumps(item)


def test_feature_collections() -> None:
    incidents = incidents_geojson([incident()])
    assert incidents["type"] == "FeatureCollection" and len(incidents["features"]) == 1
    feature = incidents["features"][0]
    assert feature["geometry"]["type"] == "Point"
    lng, lat = feature["geometry"]["coordinates"]
    assert 136 < lng < 137 and 34 < lat < 35  # GeoJSON order is lng, lat
    assert feature["properties"]["status"] == "confirmed"
    posts = posts_geojson([post(1), post(2, lat=None, lng=None, place=None)])
    assert len(posts["features"]) == 1 and posts["features"][0]["properties"]["categories"][0]["name"] == "flood"
    gauges = gauges_geojson([reading(5), reading(50, warning_level=1, threshold_name=None, crossing="down")])
    assert len(gauges["features"]) == 1  # latest reading per gauge only
    assert gauges["features"][0]["properties"]["warning_level"] == 1
    json.dumps([incidents, posts, gauges])
