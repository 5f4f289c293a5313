"""Offline map geometry: the dissolve of municipalities, and warnings drawn as areas coloured by level."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from kernel import reference
from kernel.store.models import AlertRow
from publish.areas import table
from publish.boundaries import BOUNDARIES_FILE, area_geometry, build
from publish.colors import LEVEL_COLORS
from publish.geojson import warning_areas_geojson
from publish.polygons import dissolve, polygons_of, ring_problems, signed_area

T0 = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)


def square(x: float, y: float) -> list[list[tuple[float, float]]]:
    return [[(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]]


def area_of(polygons: list) -> float:
    return sum(signed_area(p[0]) + sum(signed_area(h) for h in p[1:]) for p in polygons)


def test_dissolve_drops_shared_edges_keeps_islands_and_holes() -> None:
    two = dissolve([square(0, 0), square(1, 0)])
    assert len(two) == 1 and len(two[0]) == 1 and area_of(two) == 2
    assert (1.0, 0.0) in two[0][0] and ring_problems(two[0][0]) == []

    apart = dissolve([square(0, 0), square(5, 5)])
    assert len(apart) == 2 and area_of(apart) == 2

    ring = [square(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)]  # eight around an empty middle
    holed = dissolve(ring)
    assert len(holed) == 1 and len(holed[0]) == 2  # outer ring and one hole
    assert signed_area(holed[0][0]) == 9 and signed_area(holed[0][1]) == -1 and area_of(holed) == 8

    corner = dissolve([square(0, 0), square(1, 1)])  # touching at one vertex: two simple polygons
    assert len(corner) == 2 and all(ring_problems(p[0]) == [] for p in corner)


def test_forecast_area_is_the_union_of_its_municipalities() -> None:
    geometry, members = area_geometry("240011")  # 三重県北中部の中部: 津市, 松阪市, ...
    assert members == frozenset(table().region_members["240011"])
    parts = [area_geometry(code)[0] for code in members]
    polys = polygons_of(geometry)
    assert all(ring_problems(r) == [] for p in polys for r in p)
    assert area_of(polys) == pytest.approx(sum(area_of(polygons_of(g)) for g in parts), rel=1e-9)
    # no inner borders left: fewer positions than the members' outlines together
    assert sum(len(r) for p in polys for r in p) < sum(len(r) for g in parts for p in polygons_of(g) for r in p)
    assert area_geometry("2420100")[1] == {"24201"} and area_geometry("2420111")[1] == {"24201"}
    assert area_geometry("460") is None and area_geometry("river:1") is None and area_geometry("2310000") is None


def alert(alert_id: str, source: str, level: int | None, areas: list[dict], event: str = "大雨警報") -> AlertRow:
    return AlertRow(id=alert_id, source=source, ref="r", hazard="heavy_rain", event=event, level=level,
                    severity="Severe", urgency="Expected", certainty="Likely", msg_type="Alert", status="Actual",
                    areas=areas, slots={}, sent=T0, expires=None)


def test_warnings_become_area_polygons_coloured_by_the_highest_level() -> None:
    warnings = [  # kernel.store.observations.current_warnings rows: municipality-level JMA warnings
        {"area_code": "2420100", "area_name": "津市", "level": 3,
         "kinds": [{"name": "大雨警報", "level": 3}, {"name": "雷注意報", "level": 2}]},
        {"area_code": "2420200", "area_name": "四日市市", "level": 2, "kinds": [{"name": "大雨注意報", "level": 2}]},
        {"area_code": "2420300", "area_name": "伊勢市", "level": 0, "kinds": [{"name": "乾燥注意報", "level": None}]},
    ]
    alerts = [
        alert("a1", "jma", 3, [{"code": "2420100", "name": "津市"}]),  # the same warning, relayed: no duplicate
        alert("a2", "jma", 4, [{"code": "240011", "name": "三重県中部"}], "土砂災害警戒情報"),  # a forecast area
        alert("a3", "municipality", 5, [{"code": "24211", "name": "鳥羽市"}], "緊急安全確保"),
        alert("a4", "incident", 4, [{"code": "24202", "name": "四日市市"}]),  # not official: not drawn
        alert("a5", "jma", 3, [{"code": "391", "name": "伊勢・三河湾"}], "津波注意報"),  # sea area: no polygon
    ]
    fc = warning_areas_geojson(warnings, alerts)
    json.dumps(fc)
    by_code = {f["properties"]["code"]: f for f in fc["features"]}
    assert list(by_code) == ["24202", "24201", "240011", "24211"]  # lowest level first: highest drawn on top
    tsu, region, toba = by_code["24201"]["properties"], by_code["240011"]["properties"], by_code["24211"]["properties"]
    assert tsu["level"] == 3 and tsu["color"] == LEVEL_COLORS[3] and tsu["name"] == "津市"
    assert [k["name"] for k in tsu["kinds"]] == ["大雨警報", "雷注意報"]
    assert region["level"] == 4 and region["color"] == LEVEL_COLORS[4] and region["name"] == "三重県中部"
    assert set(region["municipalities"]) == set(table().region_members["240011"])
    assert toba["level"] == 5 and toba["color"] == LEVEL_COLORS[5] and toba["kinds"][0]["source"] == "municipality"
    assert by_code["24202"]["properties"]["color"] == LEVEL_COLORS[2]
    for f in fc["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert all(ring_problems(r) == [] for p in polygons_of(f["geometry"]) for r in p)
    assert by_code["240011"]["geometry"] == area_geometry("240011")[0]


def test_the_shipped_copy_is_what_the_build_makes(tmp_path) -> None:
    source = reference.current().path("boundaries.geojson")  # shipped with the package (kernel/data/mie)
    sizes = build(source, tmp_path / "b.geojson")
    assert sizes["features"] == 29 and sizes["bytes"] <= 3_000_000
    assert (tmp_path / "b.geojson").read_bytes() == BOUNDARIES_FILE.read_bytes()
