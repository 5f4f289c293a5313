"""JSONL in and out for ``bosai geocode``: one output line per input line, bad lines kept with an error."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.records import Geocoder, Place

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TextItem:
    """One input line: its id, text and optional (lat, lng) geotag, or why it could not be read."""

    line: int
    id: Any
    text: str | None
    geo: tuple[float, float] | None = None
    error: str | None = None


def read_items(path: Path) -> Iterator[TextItem]:
    """Parse ``{"id"?, "text", "geo"?}`` lines; blank lines are skipped, malformed ones reported."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield parse_line(line, number)


def parse_line(line: str, number: int) -> TextItem:
    """One JSONL line to a :class:`TextItem` (with ``error`` set when it is not usable)."""
    try:
        data = json.loads(line)
    except ValueError as err:
        return TextItem(number, None, None, error=f"line {number}: not JSON: {err}")
    if not isinstance(data, dict):
        return TextItem(number, None, None, error=f"line {number}: expected an object")
    item_id, text, geo = data.get("id"), data.get("text"), data.get("geo")
    if not isinstance(text, str):
        return TextItem(number, item_id, None, error=f"line {number}: 'text' must be a string")
    if geo is not None:
        try:
            lat, lng = (float(v) for v in geo)
        except (TypeError, ValueError):
            return TextItem(number, item_id, text, error=f"line {number}: 'geo' must be [lat, lng]")
        geo = (lat, lng)
    return TextItem(number, item_id, text, geo)


def place_json(place: Place) -> dict[str, Any]:
    """The measurement-contract form of a place."""
    data: dict[str, Any] = {"name": place.name, "kind": place.kind, "lat": place.lat, "lng": place.lng,
                            "confidence": place.confidence}
    if place.code:
        data["code"] = place.code
    if place.municipality:
        data["municipality"] = place.municipality
    return data


def geocode_file(geocoder: Geocoder, source: Path, output: Path) -> tuple[int, int]:
    """Geocode every line of ``source`` into ``output``; return (lines written, lines with errors)."""
    written = errors = 0
    with Path(output).open("w", encoding="utf-8") as out:
        for item in read_items(source):
            row: dict[str, Any] = {"id": item.id if item.id is not None else item.line, "text": item.text}
            if item.error is None and item.text is not None:
                row["places"] = [place_json(p) for p in geocoder.resolve(item.text, geo=item.geo)]
            else:
                log.warning("geocode_bad_line line=%d error=%s", item.line, item.error)
                row["places"], row["error"] = [], item.error
                errors += 1
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    return written, errors
