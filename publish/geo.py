"""Great-circle distance and a bounding box for pre-filtering nearby rows in SQL."""

from __future__ import annotations

import math

from kernel.reference import EARTH_RADIUS_KM, haversine_km

__all__ = ["EARTH_RADIUS_KM", "bbox", "haversine_km"]


def bbox(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) that contains the circle of ``radius_km``."""
    dlat = radius_km / 111.0
    dlng = radius_km / (111.0 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
