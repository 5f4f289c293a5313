"""Pure parsing of JMA disaster XML telegrams (気象庁防災情報XML) into OfficialReport records."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from lxml import etree

from collectors import jma_meteo, jma_seismo
from collectors.jma_common import child, ctext, local
from collectors.xml_safety import parse_xml
from kernel.errors import SourceDataError
from kernel.records import OfficialReport

log = logging.getLogger(__name__)

REPORT_TYPES: Final = {
    "気象警報・注意報": "warning",
    "気象特別警報報知": "warning",
    "土砂災害警戒情報": "landslide",
    "指定河川洪水予報": "flood_forecast",
    "水位周知河川に関する情報": "flood_forecast",
    "記録的短時間大雨情報": "heavy_rain",
    "震度速報": "earthquake",
    "震源に関する情報": "earthquake",
    "震源速報": "earthquake",
    "震源・震度に関する情報": "earthquake",
    "地震情報": "earthquake",
    "津波警報・注意報・予報": "tsunami",
    "津波情報": "tsunami",
    "沖合の津波観測に関する情報": "tsunami",
}


def _earthquake(head: etree._Element, body: etree._Element) -> list[dict[str, Any]]:
    quake = jma_seismo.earthquake_item(body)
    return ([quake] if quake else []) + jma_seismo.intensity_items(body)


def _tsunami(head: etree._Element, body: etree._Element) -> list[dict[str, Any]]:
    quake = jma_seismo.earthquake_item(body)
    return jma_seismo.tsunami_items(body) + ([quake] if quake else [])


_PARSERS: Final[dict[str, Callable[[etree._Element, etree._Element], list[dict[str, Any]]]]] = {
    "warning": lambda head, body: jma_meteo.parse_warnings(body),
    "landslide": lambda head, body: jma_meteo.parse_landslide(body),
    "flood_forecast": jma_meteo.parse_flood_forecast,
    "heavy_rain": jma_meteo.parse_heavy_rain,
    "earthquake": _earthquake,
    "tsunami": _tsunami,
    "other": lambda head, body: jma_meteo.headline_items(head),
}


def parse_report(data: bytes, *, source: str, source_id: str) -> OfficialReport:
    """Parse one telegram; raise SourceDataError (with the raw bytes) when it is not a valid report."""
    root = parse_xml(data)
    try:
        return _build(root, data, source=source, source_id=source_id)
    except SourceDataError:
        raise
    except (ValueError, TypeError, AttributeError) as err:
        raise SourceDataError(f"unreadable JMA telegram: {err}", raw=data, source_id=source_id) from err


def _build(root: etree._Element, data: bytes, *, source: str, source_id: str) -> OfficialReport:
    if local(root) != "Report":
        raise SourceDataError(f"not a JMA report: root element is <{local(root)}>", raw=data, source_id=source_id)
    control, head, body = child(root, "Control"), child(root, "Head"), child(root, "Body")
    if control is None or head is None:
        raise SourceDataError("JMA report without Control or Head", raw=data, source_id=source_id)
    report_dt = _datetime(ctext(head, "ReportDateTime"), "Head/ReportDateTime", data, source_id)
    control_dt = ctext(control, "DateTime")
    info_kind = ctext(head, "InfoKind")
    report_type = REPORT_TYPES.get(info_kind, "other")
    if report_type == "other":
        log.info("jma_report_other source=%s source_id=%s info_kind=%s", source, source_id, info_kind)
    items = _PARSERS[report_type](head, body if body is not None else etree.Element("Body"))
    levels = [i["level"] for i in items if isinstance(i.get("level"), int)]
    return OfficialReport(
        source=source,
        source_id=source_id,
        observed_at=_datetime(control_dt, "Control/DateTime", data, source_id) if control_dt else report_dt,
        title=ctext(head, "Title"),
        info_kind=info_kind,
        info_type=ctext(head, "InfoType"),
        status=ctext(control, "Status"),
        report_datetime=report_dt,
        headline=ctext(child(head, "Headline"), "Text"),
        report_type=report_type,
        publishing_office=ctext(control, "PublishingOffice"),
        items=tuple(items),
        area_codes=_area_codes(items),
        level=max(levels) if levels else None,
        event_id=ctext(head, "EventID"),
        valid_until=_valid_until(ctext(head, "ValidDateTime"), data, source_id),
    )


def _datetime(text: str, what: str, data: bytes, source_id: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise SourceDataError(f"{what} is not an ISO 8601 time: {text!r}", raw=data, source_id=source_id) from err
    if value.tzinfo is None:
        raise SourceDataError(f"{what} has no UTC offset: {text!r}", raw=data, source_id=source_id)
    return value


def _valid_until(text: str, data: bytes, source_id: str) -> datetime | None:
    return _datetime(text, "Head/ValidDateTime", data, source_id) if text else None


def _area_codes(items: list[dict[str, Any]]) -> tuple[str, ...]:
    codes: dict[str, None] = {}
    for item in items:
        for key in ("area_code", "city_code", "hypocenter_code"):
            if item.get(key) and item.get("type") != "earthquake":
                codes[item[key]] = None
        if item.get("type") == "intensity" and item.get("code"):
            codes[item["code"]] = None
        for area in item.get("areas", ()):
            if area.get("code"):
                codes[area["code"]] = None
    return tuple(codes)


def parse_file_result(path: str) -> dict[str, Any]:
    """The ``bosai parse`` measurement line for one file (SPEC section 3); never raises on bad input."""
    try:
        data = Path(path).read_bytes()
        report = parse_report(data, source="file", source_id=Path(path).name)
        head = child(parse_xml(data), "Head")
    except (OSError, SourceDataError) as err:
        return {"file": path, "ok": False, "error": f"{type(err).__name__}: {err}"}
    return {
        "file": path,
        "ok": True,
        "title": report.title,
        "info_kind": report.info_kind,
        "report_datetime": ctext(head, "ReportDateTime"),
        "status": report.status,
        "report_type": report.report_type,
        "info_type": report.info_type,
        "level": report.level,
        "records": list(report.items),
    }
