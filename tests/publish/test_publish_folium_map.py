"""The static map export: offline (no CDN), escaped popups, the `bosai map` command."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from publish_records import incident, reading
from sqlalchemy import select

from kernel.store.models import GaugeReadingRow, IncidentRow
from publish import commands
from publish.folium_map import LEAFLET_DIR, build_map, load_shelters

TILES = "http://tiles.local/{z}/{x}/{y}.png"


@pytest.mark.skipif(not (LEAFLET_DIR / "leaflet.js").exists(), reason="Leaflet not vendored")
def test_map_is_offline_and_escaped(tmp_path) -> None:
    incidents, readings = [incident()], [reading(5), reading(50, warning_level=1, threshold_name=None)]
    shelters = [{"name": "中央市民館", "kind": "both", "municipality": "津市", "lat": 34.72, "lng": 136.51}]
    out = tmp_path / "map.html"
    build_map(incidents, readings, shelters, tile_url=TILES, attribution="地理院タイル").save(str(out))
    html = out.read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "code.jquery" not in html
    assert "tiles.local" in html and "中央市民館" in html
    assert "L.map(" in html and "Leaflet" in html  # leaflet.js inlined
    assert '<script>alert("x")</script>' not in html and "<img src=x" not in html


def test_shelters_load_from_the_open_data() -> None:
    shelters = load_shelters()
    if not shelters:
        pytest.skip("shared shelter data not available")
    assert len(shelters) > 1000
    assert all(33 < s["lat"] < 36 and 135 < s["lng"] < 137.5 for s in shelters)
    assert load_shelters(Path("/nonexistent.csv")) == []


def test_map_command_reads_the_configured_store(db, session, alert_set, tmp_path, capsys) -> None:
    session.commit()
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\nurl = "{db.url}"\n[web]\ntile_url = "{TILES}"\n', encoding="utf-8")
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    commands.register(parser.add_subparsers())
    out = tmp_path / "out" / "map.html"
    args = parser.parse_args(["--config", str(config), "map", "--output", str(out), "--no-shelters"])
    assert args.func(args) == 0
    assert out.exists() and "tiles.local" in out.read_text(encoding="utf-8")
    assert "1 incidents, 1 gauges, 0 shelters" in capsys.readouterr().out
    assert session.scalars(select(IncidentRow)).first() and session.scalars(select(GaugeReadingRow)).first()
