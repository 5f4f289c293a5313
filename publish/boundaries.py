"""Mie's 29 municipal boundaries, shipped with the package so both maps draw Mie with no internet.

The shipped ``publish/data/boundaries.geojson`` is built by ``bosai boundaries build`` from the reference
data's ``boundaries.geojson`` (国土数値情報 行政区域 N03, simplified; see docs/maps.md): properties
cut to ``code`` and ``name``, coordinates rounded to 1e-5 degrees (about 1 m), rings oriented as RFC 7946 asks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from kernel import reference
from publish.areas import municipalities as area_municipalities
from publish.municipalities import municipalities
from publish.polygons import PolygonRings, dissolve, geometry_of, oriented, polygons_of, signed_area

log = logging.getLogger(__name__)

BOUNDARIES_FILE: Final = Path(__file__).resolve().parent / "data" / "boundaries.geojson"
CREDIT: Final = "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成"
DIGITS: Final = 5


def _round_ring(ring: list[tuple[float, float]], digits: int) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for x, y in ring:
        p = (round(x, digits), round(y, digits))
        if not out or out[-1] != p:
            out.append(p)
    return out


def _degenerate(ring: list[tuple[float, float]]) -> bool:
    return len(ring) < 4 or signed_area(ring) == 0


def build(source: Path | None = None, output: Path = BOUNDARIES_FILE, digits: int = DIGITS) -> dict[str, int]:
    """Write the shipped boundaries from an N03 GeoJSON (``N03_007`` code, ``N03_004`` name); returns sizes.

    Rounding keeps the shared borders shared: both neighbours held the same vertex and round it alike.
    """
    source = source or reference.current().path("boundaries.geojson")
    data = json.loads(source.read_text(encoding="utf-8"))
    known = {m.code: m.name for m in municipalities()}
    features = []
    for f in data["features"]:
        props = f["properties"]
        code, name = str(props.get("N03_007") or ""), str(props.get("N03_004") or "")
        if known and known.get(code) != name:
            log.warning("boundary_unknown_municipality code=%s name=%s", code, name)
        polys = []
        for poly in polygons_of(f["geometry"]):
            rings = [_round_ring(ring, digits) for ring in poly]
            if _degenerate(rings[0]):
                continue  # e.g. a collinear sliver the simplification left behind
            polys.append([oriented(r, ccw=k == 0) for k, r in enumerate(rings) if k == 0 or not _degenerate(r)])
        features.append({"type": "Feature", "properties": {"code": code, "name": name},
                         "geometry": geometry_of(polys)})
    features.sort(key=lambda f: f["properties"]["code"])
    body = json.dumps({"type": "FeatureCollection", "attribution": CREDIT, "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    output.write_text(body + "\n", encoding="utf-8")
    raw = body.encode("utf-8")
    return {"features": len(features), "bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 9))}


@dataclass(frozen=True, slots=True)
class Served:
    """The boundaries file as the API serves it: body, its gzip form and a strong ETag."""

    body: bytes
    gzipped: bytes
    etag: str


@lru_cache(maxsize=1)
def served(path: Path = BOUNDARIES_FILE) -> Served:
    """The shipped file's bytes, compressed once (it never changes while the service runs)."""
    try:
        body = path.read_bytes()
    except OSError as err:
        log.warning("boundaries_missing path=%s error=%s", path, err)
        body = b'{"type":"FeatureCollection","features":[]}'
    return Served(body, gzip.compress(body, 9), '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


@lru_cache(maxsize=1)
def _polygons(path: Path = BOUNDARIES_FILE) -> dict[str, tuple[str, list[PolygonRings]]]:
    """JIS code -> (name, polygons)."""
    data = json.loads(served(path).body)
    return {f["properties"]["code"]: (f["properties"]["name"], polygons_of(f["geometry"])) for f in data["features"]}


def names() -> dict[str, str]:
    """JIS code -> municipality name, for every shipped boundary."""
    return {code: name for code, (name, _polys) in _polygons().items()}


@lru_cache(maxsize=256)
def _union(codes: frozenset[str]) -> dict[str, Any] | None:
    shapes = _polygons()
    polys = [p for code in sorted(codes) if code in shapes for p in shapes[code][1]]
    if not polys:
        return None
    return geometry_of(polys if len(codes) == 1 else dissolve(polys))


def area_geometry(area_code: str) -> tuple[dict[str, Any], frozenset[str]] | None:
    """The polygon of a JMA area and the municipalities it covers; a forecast area is their union.

    None for areas that are no set of Mie municipalities (rivers, sea areas, quake areas, other prefectures).
    """
    members = area_municipalities(str(area_code))
    geometry = _union(members) if members else None
    return (geometry, members) if geometry is not None else None
