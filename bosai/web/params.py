"""Query-string parsing for the API: clear 400s for bad values, never a 500."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from aiohttp import web

from kernel.records import time_problem
from kernel.store.incidents import Filters

TOKYO: Final = ZoneInfo("Asia/Tokyo")
_RELATIVE: Final = re.compile(r"^(\d{1,5})([mhd])$")
_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days"}
_WORD: Final = re.compile(r"^[\w\-.]{1,64}$")


def bad_request(message: str) -> web.HTTPBadRequest:
    """A JSON 400 naming what was wrong."""
    return web.HTTPBadRequest(text=f'{{"error": "{message}"}}', content_type="application/json")


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """``since`` as ISO 8601 (naive = Japan time) or relative (``90m``, ``6h``, ``2d`` before ``now``).

    Times before 2000 or more than a day ahead are refused (400): at the ends of the calendar
    (``0001-01-01T00:00:00+14:00``) the database driver's conversion to UTC overflows.
    """
    if not value:
        return None
    rel = _RELATIVE.match(value.strip())
    if rel:
        dt = now - timedelta(**{_UNITS[rel.group(2)]: int(rel.group(1))})
    else:
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as err:
            raise bad_request("since: expected ISO 8601 time or a span like 90m, 6h, 2d") from err
        dt = dt if dt.tzinfo else dt.replace(tzinfo=TOKYO)
    problem = time_problem(dt, now)
    if problem:
        raise bad_request(f"since: {problem}")
    return dt


def parse_int(value: str | None, name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter within [lo, hi]."""
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError as err:
        raise bad_request(f"{name}: expected an integer") from err
    if not lo <= n <= hi:
        raise bad_request(f"{name}: must be between {lo} and {hi}")
    return n


def parse_word(value: str | None, name: str) -> str | None:
    """A short identifier-like parameter (hazard, municipality name or code, area code)."""
    if not value:
        return None
    if not _WORD.match(value):
        raise bad_request(f"{name}: unexpected characters")
    return value


def parse_text(value: str | None, name: str, max_len: int = 64) -> str | None:
    """A short free-text search (a shelter's name in Japanese): printable, at most ``max_len`` characters."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > max_len or not value.isprintable():
        raise bad_request(f"{name}: at most {max_len} printable characters")
    return value


def parse_filters(request: web.Request, now: datetime) -> Filters:
    """hazard, municipality, since and limit of a layer request."""
    q = request.query
    return Filters(hazard=parse_word(q.get("hazard"), "hazard"),
                   municipality=parse_word(q.get("municipality"), "municipality"),
                   since=parse_since(q.get("since"), now),
                   limit=parse_int(q.get("limit"), "limit", 500, 1, 1000))


def parse_point(value: str | None) -> tuple[float, float] | None:
    """``near=lat,lng`` within Japan's rough bounds."""
    if not value:
        return None
    try:
        lat_s, lng_s = value.split(",")
        lat, lng = float(lat_s), float(lng_s)
    except ValueError as err:
        raise bad_request("near: expected lat,lng") from err
    if not (20 <= lat <= 46 and 122 <= lng <= 154):
        raise bad_request("near: outside Japan")
    return lat, lng
