"""Reverse geocoding: nearest town (or municipality) point through a uniform grid index."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kernel.reference import haversine_km as distance_km  # the project's one distance function

__all__ = ["CELL_DEG", "GridIndex", "Point", "distance_km"]

CELL_DEG = 0.05  # about 5 km north-south


@dataclass(frozen=True, slots=True)
class Point:
    """A reference point: the municipality it belongs to and its town name (None for an office point)."""

    lat: float
    lng: float
    municipality: str
    town: str | None
    code: str | None


class GridIndex:
    """Points bucketed by grid cell; nearest-point search widens ring by ring up to a radius."""

    def __init__(self, points: Iterable[Point], max_km: float) -> None:
        self.max_km = max_km
        self._cells: dict[tuple[int, int], list[Point]] = defaultdict(list)
        for point in points:
            self._cells[self._cell(point.lat, point.lng)].append(point)

    @staticmethod
    def _cell(lat: float, lng: float) -> tuple[int, int]:
        return math.floor(lat / CELL_DEG), math.floor(lng / CELL_DEG)

    def nearest(self, lat: float, lng: float) -> tuple[Point, float] | None:
        """Closest point within ``max_km``, with its distance; None when there is none."""
        if not (math.isfinite(lat) and math.isfinite(lng)):
            return None
        ci, cj = self._cell(lat, lng)
        best: tuple[Point, float] | None = None
        rings = math.ceil(self.max_km / (CELL_DEG * 111.0 * math.cos(math.radians(min(abs(lat), 80))))) + 1
        for ring in range(rings + 1):
            for di in range(-ring, ring + 1):
                for dj in range(-ring, ring + 1):
                    if max(abs(di), abs(dj)) != ring:
                        continue
                    for point in self._cells.get((ci + di, cj + dj), ()):
                        d = distance_km(lat, lng, point.lat, point.lng)
                        if d <= self.max_km and (best is None or d < best[1]):
                            best = (point, d)
            if best is not None and best[1] < ring * CELL_DEG * 111.0 * 0.7:
                break
        return best
