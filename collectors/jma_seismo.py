"""Typed items of seismic telegrams: earthquake hypocenter, intensities, tsunami forecasts."""

from __future__ import annotations

import re
from typing import Any, Final

from lxml import etree

from collectors.jma_common import child, children, ctext, name_code, to_float

_COORD_RE: Final = re.compile(r"([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/?")
_TSUNAMI_CATEGORIES: Final = (
    (("52", "53"), "大津波警報"),
    (("51",), "津波警報"),
    (("62",), "津波注意報"),
    (("71", "72", "73"), "津波予報"),
    (("00",), "津波なし"),
)


def parse_coordinate(text: str) -> tuple[float | None, float | None, float | None]:
    """(lat, lng, depth_km) from ISO 6709 text such as ``+35.1+137.3-40000/`` (depth in -metres)."""
    match = _COORD_RE.match(text.strip())
    if not match:
        return None, None, None
    depth = float(match.group(3)) if match.group(3) else None
    return float(match.group(1)), float(match.group(2)), (-depth / 1000.0 if depth is not None else None)


def earthquake_item(body: etree._Element) -> dict[str, Any] | None:
    """The hypocenter and magnitude of ``Body/Earthquake``, or None when the telegram has none."""
    quake = child(body, "Earthquake")
    observation = child(child(body, "Intensity"), "Observation")
    if quake is None and observation is None:
        return None
    area = child(child(quake, "Hypocenter"), "Area")
    coord = child(area, "Coordinate")
    lat, lng, depth = parse_coordinate(coord.text or "") if coord is not None else (None, None, None)
    mag = child(quake, "Magnitude")
    comments = child(body, "Comments")
    return {
        "type": "earthquake",
        "origin_time": ctext(quake, "OriginTime") or None,
        "hypocenter_name": ctext(area, "Name") or None,
        "hypocenter_code": ctext(area, "Code") or None,
        "lat": lat,
        "lng": lng,
        "depth_km": depth,
        "coordinate_description": coord.get("description") if coord is not None else None,
        "magnitude": to_float(mag.text) if mag is not None else None,
        "magnitude_type": mag.get("type") if mag is not None else None,
        "magnitude_description": mag.get("description") if mag is not None else None,
        "max_int": ctext(observation, "MaxInt") or None,
        "comment_codes": [ctext(c, "Code") for c in (comments.iter("{*}ForecastComment") if comments is not None
                                                     else ()) if ctext(c, "Code")],
    }


def intensity_items(body: etree._Element) -> list[dict[str, Any]]:
    """One item per prefecture, area and city with its maximum seismic intensity and codes."""
    observation = child(child(body, "Intensity"), "Observation")
    items: list[dict[str, Any]] = []
    for pref in children(observation, "Pref"):
        pref_code = ctext(pref, "Code") or None
        items.append({"type": "intensity", "scope": "pref", "pref_code": pref_code, **_int(pref)})
        for area in children(pref, "Area"):
            items.append({"type": "intensity", "scope": "area", "pref_code": pref_code, **_int(area)})
            for city in children(area, "City"):
                items.append({
                    "type": "intensity", "scope": "city", "pref_code": pref_code,
                    "area_code": ctext(area, "Code") or None, **_int(city),
                })
    return items


def _int(element: etree._Element) -> dict[str, Any]:
    return {**name_code(element), "max_int": ctext(element, "MaxInt") or None}


def tsunami_items(body: etree._Element) -> list[dict[str, Any]]:
    """One item per tsunami forecast area: category, previous kind, first arrival, maximum height."""
    forecast = child(child(body, "Tsunami"), "Forecast")
    items: list[dict[str, Any]] = []
    for item in children(forecast, "Item"):
        area = name_code(child(item, "Area"))
        category = child(item, "Category")
        kind = name_code(child(category, "Kind"))
        last = name_code(child(category, "LastKind"))
        first = child(item, "FirstHeight")
        height = child(child(item, "MaxHeight"), "TsunamiHeight")
        items.append({
            "type": "tsunami",
            "area_code": area["code"],
            "area_name": area["name"],
            "kind_code": kind["code"],
            "kind_name": kind["name"],
            "category": tsunami_category(kind["code"], kind["name"]),
            "last_kind_code": last["code"],
            "last_kind_name": last["name"],
            "first_arrival": ctext(first, "ArrivalTime") or None,
            "first_arrival_condition": ctext(first, "Condition") or None,
            "max_height_m": to_float(height.text) if height is not None else None,
            "max_height_description": height.get("description") if height is not None else None,
            "max_height_condition": height.get("condition") if height is not None else None,
            "stations": [name_code(st) for st in children(item, "Station")],
        })
    return items


def tsunami_category(code: str | None, name: str | None) -> str:
    """大津波警報 / 津波警報 / 津波注意報 / 津波予報 / 津波なし / 解除 / other from a Kind code or name."""
    for codes, category in _TSUNAMI_CATEGORIES:
        if code in codes:
            return category
    name = name or ""
    if "解除" in name:
        return "解除"
    for _, category in _TSUNAMI_CATEGORIES:
        if name.startswith(category):
            return category
    return "other"
