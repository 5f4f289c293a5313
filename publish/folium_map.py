"""Static folium export of the command-center map: incidents, river gauges and shelters, usable offline.

folium loads Leaflet from a CDN by default; this export drops every CDN resource and writes the locally
vendored Leaflet (``bosai/web/static/vendor/leaflet``, BSD-2) inline, so the file opens with no internet.
Only plain Leaflet features are used (circle markers, layer control), so no other plugin is needed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import folium
from branca.element import Element

from kernel import reference
from kernel.published import Incident
from kernel.records import GaugeReading
from kernel.reference import ReferenceData
from publish.colors import level_color
from publish.geojson import gauges_geojson

log = logging.getLogger(__name__)

REPO: Final = Path(__file__).resolve().parent.parent
LEAFLET_DIR: Final = REPO / "bosai" / "web" / "static" / "vendor" / "leaflet"
MIE_CENTER: Final = (34.55, 136.45)
GAUGE_STYLE: Final = "font-size:22px;line-height:22px;text-shadow:0 0 2px #000,0 0 1px #000;"


def load_shelters(path: Path | None = None) -> list[dict[str, Any]]:
    """Shelters (指定避難所 / 指定緊急避難場所) with a position, from ``path`` or the reference data's shelters.csv;
    empty if the file is missing."""
    rows = reference.current().rows("shelters.csv") if path is None else ReferenceData(path.parent).rows(path.name)
    out = []
    for r in rows:
        try:
            out.append({"name": r["name"], "kind": r["kind"], "municipality": r.get("municipality", ""),
                        "lat": float(r["lat"]), "lng": float(r["lng"])})
        except (KeyError, ValueError):
            continue
    return out


def _offline(m: folium.Map, leaflet_dir: Path) -> None:
    js, css = leaflet_dir / "leaflet.js", leaflet_dir / "leaflet.css"
    if not (js.exists() and css.exists()):
        log.warning("leaflet_not_vendored dir=%s fallback=cdn", leaflet_dir)
        return
    m.default_js, m.default_css = [], []
    root = m.get_root()
    root.header.add_child(Element(f"<style>{css.read_text(encoding='utf-8')}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{js.read_text(encoding='utf-8')}</script>"), name="leaflet_js")


def build_map(incidents: Iterable[Incident], readings: Iterable[GaugeReading],
              shelters: list[dict[str, Any]], *, tile_url: str, attribution: str,
              leaflet_dir: Path = LEAFLET_DIR) -> folium.Map:
    """A folium map with one layer per kind of thing; text shown in popups is HTML-escaped."""
    m = folium.Map(location=MIE_CENTER, zoom_start=9, tiles=None)
    _offline(m, leaflet_dir)
    folium.TileLayer(tiles=tile_url, attr=html.escape(attribution), name="tiles", control=False).add_to(m)
    layer = folium.FeatureGroup(name="incidents").add_to(m)
    for i in incidents:
        label = html.escape(f"[{i.status}] {i.hazard} severity {i.severity}: {i.place_name} — {i.title}")
        folium.CircleMarker((i.lat, i.lng), radius=6 + 2 * i.severity, color="#333333", weight=1,
                            fill=True, fill_color=level_color(i.severity), fill_opacity=0.85,
                            popup=folium.Popup(label, max_width=320), tooltip=label).add_to(layer)
    layer = folium.FeatureGroup(name="river gauges").add_to(m)
    for f in gauges_geojson(readings)["features"]:
        p = f["properties"]
        lng, lat = f["geometry"]["coordinates"]
        label = html.escape(f"{p['river']} {p['name']}: {p['level_m']} m, level {p['warning_level']}"
                            f" ({p['threshold_name'] or '-'})")
        # A triangle (core Leaflet divIcon) so gauges differ from incidents by shape, not colour alone.
        icon = folium.DivIcon(html=f'<div style="{GAUGE_STYLE}color:{p["color"]}">&#9650;</div>')
        folium.Marker((lat, lng), icon=icon, popup=folium.Popup(label, max_width=320),
                      tooltip=label).add_to(layer)
    layer = folium.FeatureGroup(name="shelters", show=False).add_to(m)
    for s in shelters:
        folium.CircleMarker((s["lat"], s["lng"]), radius=3, color="#1f6f3f", weight=1, fill=True,
                            fill_opacity=0.7, tooltip=html.escape(f"{s['name']} ({s['municipality']})")
                            ).add_to(layer)
    folium.LayerControl(collapsed=False).add_to(m)
    return m

