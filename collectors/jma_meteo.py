"""Typed items of weather telegrams: warnings, landslide alerts, river flood forecasts, heavy rain."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Final

from lxml import etree

from collectors.jma_common import child, children, ctext, level_from_text, local, name_code, to_float

IN_FORCE: Final = frozenset({"発表", "継続", "特別警報から警報", "特別警報から注意報", "警報から注意報"})
# 警戒レベル相当 of the H27 kind codes (VPWW53/54); R06 kinds carry the level in their name.
_H27_LEVELS: Final = {"33": 5, "38": 4, "08": 4, "03": 3, "04": 3, "10": 2, "18": 2, "19": 2}
_SPECIAL_CODES: Final = frozenset({"32", "33", "35", "36", "37", "38"})
_FLOOD_LEVELS: Final = {"20": 2, "21": 2, "30": 3, "40": 4, "41": 4}
_RAIN_RE: Final = re.compile(r"([^\s、。]+?)(?:付近)?で(?:約)?(\d+)ミリ")


def _kind_level(kind: etree._Element, code: str | None, name: str | None) -> int | None:
    for sig in kind.iter("{*}Significancy"):
        level = level_from_text(ctext(sig, "Name"))
        if level:
            return level
    return level_from_text(name) or _H27_LEVELS.get(code or "")


def parse_warnings(body: etree._Element) -> list[dict[str, Any]]:
    """One item per (area, warning kind) over every Warning level of a VPWW telegram."""
    items: list[dict[str, Any]] = []
    for warning in children(body, "Warning"):
        scope = warning.get("type", "")
        for item in children(warning, "Item"):
            area = name_code(child(item, "Area"))
            common = {
                "type": "warning",
                "scope": scope,
                "area_code": area["code"],
                "area_name": area["name"],
                "change_status": ctext(item, "ChangeStatus") or None,
                "full_status": ctext(item, "FullStatus") or None,
            }
            for kind in children(item, "Kind"):
                items.append({**common, **_warning_kind(kind)})
    return items


def _warning_kind(kind: etree._Element) -> dict[str, Any]:
    nc = name_code(kind)
    status = ctext(kind, "Status")
    last = child(kind, "LastKind")
    in_force = status in IN_FORCE and nc["code"] is not None
    code = nc["code"] or ""
    return {
        "kind_code": nc["code"],
        "kind_name": nc["name"],
        "status": status or None,
        "last_kind_code": ctext(last, "Code") or None,
        "last_kind_name": ctext(last, "Name") or None,
        "condition": ctext(kind, "Condition") or None,
        "special": code in _SPECIAL_CODES or "特別警報" in (nc["name"] or ""),
        "in_force": in_force,
        "level": _kind_level(kind, nc["code"], nc["name"]) if in_force else None,
    }


def parse_landslide(body: etree._Element) -> list[dict[str, Any]]:
    """One item per municipality (split codes kept) of a VXWW50 土砂災害警戒情報."""
    items: list[dict[str, Any]] = []
    for warning in children(body, "Warning"):
        for item in children(warning, "Item"):
            kind = name_code(child(item, "Kind"))
            status = ctext(child(item, "Kind"), "Status")
            area = name_code(child(item, "Area"))
            alert = kind["code"] == "3" and status in IN_FORCE
            items.append({
                "type": "landslide",
                "area_code": area["code"],
                "area_name": area["name"],
                "kind_code": kind["code"],
                "kind_name": kind["name"],
                "status": status or None,
                "in_force": alert,
                "level": 4 if alert else None,
            })
    return items


def parse_flood_forecast(head: etree._Element, body: etree._Element) -> list[dict[str, Any]]:
    """Forecast kinds per scope (area/river/prefecture), stations, inundation areas and water levels."""
    items: list[dict[str, Any]] = []
    for info in head.iter("{*}Information"):
        for item in children(info, "Item"):
            kind = child(item, "Kind")
            nc = name_code(kind)
            items.append({
                "type": "flood_forecast",
                "scope": info.get("type", ""),
                "kind_code": nc["code"],
                "kind_name": nc["name"],
                "condition": ctext(kind, "Condition") or None,
                "level": _flood_level(nc["code"], nc["name"]),
                "areas": [name_code(a) for a in item.iter("{*}Area")],
            })
    for warning in children(body, "Warning"):
        for item in children(warning, "Item"):
            items.extend(_flood_body_item(item))
    items.extend(_water_levels(body))
    return items


def _flood_level(code: str | None, name: str | None) -> int | None:
    if code and code.startswith("5"):
        return 5
    return _FLOOD_LEVELS.get(code or "") or level_from_text(name)


def _flood_body_item(item: etree._Element) -> list[dict[str, Any]]:
    kind = child(item, "Kind")
    stations = [
        {**name_code(st), "location": ctext(st, "Location").lstrip(">") or None}
        for st in item.iter("{*}Station")
    ]
    if stations:
        prop = child(kind, "Property")
        return [{
            "type": "flood_station",
            "rivers": [name_code(a) for a in children(child(item, "Areas"), "Area")],
            "stations": stations,
            "text": ctext(prop, "Text") or None,
        }]
    return [
        {
            "type": "inundation_area",
            "station_name": ctext(area, "Name") or None,
            "station_code": ctext(area, "Code") or None,
            "city_name": ctext(area, "City") or None,
            "city_code": ctext(area, "CityCode") or None,
            "sub_cities": [s for s in ctext(area, "SubCityList").split() if s != "-"],
        }
        for area in item.iter("{*}Area")
        if area.get("codeType") == "水位観測所"
    ]


def _water_levels(body: etree._Element) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for infos in children(body, "MeteorologicalInfos"):
        if infos.get("type") != "水位・流量情報":
            continue
        for series in children(infos, "TimeSeriesInfo"):
            times = {td.get("timeId"): ctext(td, "DateTime") for td in series.iter("{*}TimeDefine")}
            for item in children(series, "Item"):
                points: dict[str, dict[str, Any]] = {}
                for wl in item.iter("{*}WaterLevel"):
                    point = points.setdefault(wl.get("refID", ""), {"time": times.get(wl.get("refID"))})
                    if wl.get("type") == "レベル":
                        point["level"] = int(v) if (v := to_float(wl.text)) is not None else None
                    else:
                        point["level_m"] = to_float(wl.text)
                        point["condition"] = wl.get("condition")
                station = child(item, "Station")
                station = child(item, "Area") if station is None else station
                items.append({"type": "water_level", **name_code(station), "series": list(points.values())})
    return items


def parse_heavy_rain(head: etree._Element, body: etree._Element) -> list[dict[str, Any]]:
    """Areas of a 記録的短時間大雨情報 and the amounts its headline names (place, mm in 1 hour)."""
    headline = unicodedata.normalize("NFKC", ctext(child(head, "Headline"), "Text"))
    amounts = [{"place": m.group(1), "amount_mm": int(m.group(2))} for m in _RAIN_RE.finditer(headline)]
    items: list[dict[str, Any]] = []
    for warning in children(body, "Warning"):
        for item in children(warning, "Item"):
            area = name_code(child(item, "Area"))
            kind = child(item, "Kind")
            items.append({
                "type": "heavy_rain",
                "area_code": area["code"],
                "area_name": area["name"],
                "status": ctext(kind, "Status") or None,
                "amounts": amounts,
                "level": None,
            })
    return items


def headline_items(head: etree._Element) -> list[dict[str, Any]]:
    """Generic items from Head/Headline/Information, for telegram kinds without a typed parser."""
    items: list[dict[str, Any]] = []
    for info in head.iter("{*}Information"):
        for item in children(info, "Item"):
            for kind in children(item, "Kind"):
                items.append({
                    "type": "headline",
                    "scope": info.get("type", ""),
                    "kind_code": ctext(kind, "Code") or None,
                    "kind_name": ctext(kind, "Name") or None,
                    "areas": [name_code(a) for a in item.iter("{*}Area") if local(a) == "Area"],
                })
    return items
