"""Plain-Python polygon helpers for the municipal boundaries: ring area, dissolve by shared edges, validity.

No GEOS/shapely: the boundaries share their borders vertex for vertex (topology-preserving simplification),
so the union of neighbouring municipalities is the set of ring edges that are not shared, chained into rings.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import pairwise
from typing import Any

Point = tuple[float, float]
Ring = list[Point]  # closed: first == last
PolygonRings = list[Ring]  # outer ring first, then holes


def signed_area(ring: Ring) -> float:
    """Shoelace area in square degrees: positive for a counter-clockwise ring."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


def oriented(ring: Ring, ccw: bool) -> Ring:
    """The ring turned to the wanted orientation (RFC 7946: outer counter-clockwise, holes clockwise)."""
    return ring if (signed_area(ring) > 0) == ccw else ring[::-1]


def contains(ring: Ring, p: Point) -> bool:
    """Whether ``p`` lies inside the ring (even-odd rule)."""
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygons_of(geometry: dict[str, Any]) -> list[PolygonRings]:
    """The polygons of a GeoJSON Polygon or MultiPolygon as lists of tuple rings."""
    coords = geometry["coordinates"]
    polys = [coords] if geometry["type"] == "Polygon" else coords
    return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in poly] for poly in polys]


def geometry_of(polygons: list[PolygonRings]) -> dict[str, Any]:
    """A GeoJSON Polygon (one part) or MultiPolygon."""
    coords = [[[list(p) for p in ring] for ring in poly] for poly in polygons]
    return {"type": "Polygon", "coordinates": coords[0]} if len(coords) == 1 else \
        {"type": "MultiPolygon", "coordinates": coords}


def _turn(prev: Point, here: Point, nxt: Point) -> float:
    """Signed turning angle at ``here`` (negative = clockwise)."""
    ax, ay = here[0] - prev[0], here[1] - prev[1]
    bx, by = nxt[0] - here[0], nxt[1] - here[1]
    return math.atan2(ax * by - ay * bx, ax * bx + ay * by)


def dissolve(polygons: list[PolygonRings]) -> list[PolygonRings]:
    """The union of polygons that meet along shared edges, as polygons with holes.

    Each edge crossed in both directions lies between two members and is dropped; the rest are chained into
    rings. Where rings touch at a vertex the walk takes the rightmost turn, so every ring stays simple.
    """
    edges: set[tuple[Point, Point]] = set()
    for poly in polygons:
        for k, ring in enumerate(poly):
            r = oriented(ring, ccw=k == 0)
            for a, b in pairwise(r):
                if a != b:
                    edges.add((a, b))
    outgoing: dict[Point, list[Point]] = defaultdict(list)
    for a, b in edges:
        if (b, a) not in edges:
            outgoing[a].append(b)
    rings: list[Ring] = []
    while outgoing:
        start = next(iter(outgoing))
        ring, prev, here = [start], None, start
        while True:
            options = outgoing[here]
            nxt = options[0] if prev is None or len(options) == 1 else min(
                options, key=lambda o: _turn(prev, here, o))  # type: ignore[arg-type]
            options.remove(nxt)
            if not options:
                del outgoing[here]
            ring.append(nxt)
            prev, here = here, nxt
            if here == start:
                break
        if len(ring) >= 4:
            rings.append(ring)
    outers = [r for r in rings if signed_area(r) > 0]
    holes = [r for r in rings if signed_area(r) < 0]
    result: list[PolygonRings] = [[r] for r in sorted(outers, key=signed_area, reverse=True)]
    for hole in holes:
        owners = [p for p in result if contains(p[0], hole[0]) or contains(p[0], _mid(hole))]
        if owners:
            min(owners, key=lambda p: signed_area(p[0])).append(hole)
    return result


def _mid(ring: Ring) -> Point:
    """The middle of a ring's first edge (a point on it that is rarely a shared vertex)."""
    return ((ring[0][0] + ring[1][0]) / 2, (ring[0][1] + ring[1][1]) / 2)


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2, d3, d4 = side(q1, q2, p1), side(q1, q2, p2), side(p1, p2, q1), side(p1, p2, q2)
    return ((d1 > 0) != (d2 > 0) and d1 != 0 and d2 != 0) and ((d3 > 0) != (d4 > 0) and d3 != 0 and d4 != 0)


def ring_problems(ring: Ring) -> list[str]:
    """Why a ring is not a simple closed ring (empty when it is): too short, open, repeated or crossing."""
    problems = []
    if len(ring) < 4:
        problems.append("fewer than 4 positions")
    if ring[0] != ring[-1]:
        problems.append("not closed")
    if any(a == b for a, b in pairwise(ring)):
        problems.append("repeated position")
    if signed_area(ring) == 0:
        problems.append("zero area")
    segs = list(pairwise(ring))
    boxes = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])) for a, b in segs]
    order = sorted(range(len(segs)), key=lambda i: boxes[i][0])
    for n, i in enumerate(order):  # sweep on x: only segments whose x-ranges overlap are compared
        for j in order[n + 1:]:
            if boxes[j][0] > boxes[i][1]:
                break
            if abs(i - j) > 1 and {i, j} != {0, len(segs) - 1} and boxes[j][2] <= boxes[i][3] \
                    and boxes[i][2] <= boxes[j][3] and _segments_cross(*segs[i], *segs[j]):
                return [*problems, f"self-intersection at segments {i} and {j}"]
    return problems
