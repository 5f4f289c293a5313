"""Geocoder stage: places in Japanese posts to coordinates, with a Mie gazetteer.

Public API: :func:`load_geocoder` returns a :class:`MieGeocoder` with ``resolve(text, *, geo=None)``
(implements :class:`kernel.records.Geocoder`) and ``reverse(lat, lng)``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from geocode.gazetteer import SHIPPED, GazetteerError, load
from geocode.resolver import MieGeocoder

__all__ = ["GazetteerError", "MieGeocoder", "load_geocoder"]

log = logging.getLogger(__name__)
_cache: dict[Path, MieGeocoder] = {}
_lock = threading.Lock()


def load_geocoder(gazetteer: Path | None = None) -> MieGeocoder:
    """The geocoder for ``gazetteer`` when that file exists, else for the shipped one; built once per file."""
    path = Path(gazetteer) if gazetteer is not None and Path(gazetteer).exists() else SHIPPED
    if gazetteer is not None and path == SHIPPED:
        log.warning("gazetteer_missing path=%s using=shipped", gazetteer)
    key = path.resolve()
    with _lock:
        if key not in _cache:
            _cache[key] = MieGeocoder(load(path))
        return _cache[key]
