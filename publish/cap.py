"""CAP 1.2 (OASIS) XML for an alert: one <info> block per language, areas with geocodes and circles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

from lxml import etree

from kernel.languages import REGISTRY
from kernel.published import Alert
from publish.catalog import LANGUAGES
from publish.messages import RenderedAlert, render_alert

CAP_NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
TOKYO: Final = ZoneInfo("Asia/Tokyo")
# CAP <language> (RFC 3066 / xs:language) per catalog language; やさしい日本語 uses a private-use subtag.
CAP_LANGUAGES: Final = {lang.code: lang.cap_tag for lang in REGISTRY}
HAZARD_CATEGORIES: Final = {"fire": "Fire", "casualty_rescue": "Rescue", "road_blocked": "Transport",
                            "power_water_outage": "Infra", "earthquake": "Geo", "landslide": "Geo",
                            "tsunami": "Geo", "evacuation_shelter": "Safety", "other_damage": "Other"}
SOURCE_NAMES: Final = {"jma": "気象庁 (Japan Meteorological Agency), relayed", "gauge": "river water-level gauge",
                       "incident": "operator-confirmed incident",
                       "municipality": "municipal evacuation information (市町村の避難情報), relayed"}
POINT_RADIUS_KM: Final = 1.0


def cap_time(value: datetime) -> str:
    """CAP dateTime: seconds precision with an explicit offset (Japan time; never "Z")."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TOKYO).replace(microsecond=0).isoformat()


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _pair(parent: etree._Element, tag: str, name: str, value: str) -> None:
    el = _sub(parent, tag)
    _sub(el, "valueName", name)
    _sub(el, "value", value)


def _category(alert: Alert) -> str:
    return str(alert.slots.get("category") or HAZARD_CATEGORIES.get(alert.hazard, "Met"))


def _response(alert: Alert) -> str:
    kind = alert.slots.get("kind")
    if kind in ("lifted", "evacuation_lifted") or (kind == "gauge_down" and (alert.level or 0) < 2):
        return "AllClear"
    if alert.hazard == "tsunami" or (alert.level or 0) >= 4:
        return "Evacuate"
    if (alert.level or 0) == 3:
        return "Prepare"
    return "Assess" if kind == "earthquake" else "Monitor"


def _geocode_name(code: str, hazard: str) -> str | None:
    """valueName of a code: JIS municipality, JMA warning area, quake or tsunami area (None: no geocode)."""
    if not code.isdigit():
        return None
    if len(code) == 5:
        return "JIS-X0402"
    if len(code) in (6, 7):
        return "JMA-AREA"
    if len(code) == 3:
        return {"earthquake": "JMA-EQ-AREA", "tsunami": "JMA-TSUNAMI-AREA"}.get(hazard)
    return "JMA-RIVER" if len(code) in (10, 12) else None


def _area(info: etree._Element, alert: Alert, text: RenderedAlert) -> None:
    area = _sub(info, "area")
    _sub(area, "areaDesc", text.area_desc or "三重県")
    for a in alert.areas:
        if a.get("lat") is not None and a.get("lng") is not None:
            _sub(area, "circle", f"{float(a['lat']):.5f},{float(a['lng']):.5f} {POINT_RADIUS_KM}")
    for a in alert.areas:
        code = str(a.get("code") or "")
        name = _geocode_name(code, alert.hazard)
        if name is not None:
            _pair(area, "geocode", name, code)


def _info(root: etree._Element, alert: Alert, lang: str, base_url: str) -> None:
    text = render_alert(alert, lang)
    info = _sub(root, "info")
    _sub(info, "language", CAP_LANGUAGES[lang])
    _sub(info, "category", _category(alert))
    _sub(info, "event", text.event)
    _sub(info, "responseType", _response(alert))
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    _pair(info, "eventCode", "bosai:event", str(alert.slots.get("event_key") or alert.hazard))
    _sub(info, "effective", cap_time(alert.sent))
    if alert.expires is not None:
        _sub(info, "expires", cap_time(alert.expires))
    _sub(info, "senderName", text.sender_name)
    _sub(info, "headline", text.headline)
    _sub(info, "description", f"{text.description}\n{text.source_label}")
    _sub(info, "instruction", text.instruction)
    _sub(info, "web", f"{base_url.rstrip('/')}/cap/{alert.id}.xml")
    if alert.level is not None:
        _pair(info, "parameter", "警戒レベル相当", str(alert.level))
    _pair(info, "parameter", "accessibleText", text.accessible_text)
    _area(info, alert, text)


def render_cap(alert: Alert, *, languages: tuple[str, ...] | list[str] = LANGUAGES, sender: str,
               base_url: str) -> bytes:
    """The alert as a CAP 1.2 document (UTF-8 bytes); relayed JMA items name JMA as their source."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.id)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(alert.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "source", SOURCE_NAMES.get(alert.source, alert.source))
    _sub(root, "scope", "Public")
    if alert.source == "jma":
        _sub(root, "note", "出典：気象庁 (source: Japan Meteorological Agency). Relayed, not issued by this service.")
    elif alert.source == "municipality":
        issuer = str(alert.slots.get("place") or "")
        _sub(root, "note", f"出典：{issuer} (source: {issuer}). Relayed, not issued by this service.")
    references = alert.slots.get("references") or []
    if references:
        _sub(root, "references", " ".join(f"{sender},{r['id']},{cap_time(datetime.fromisoformat(r['sent']))}"
                                          for r in references))
    _sub(root, "incidents", str(alert.ref).replace(" ", "_"))
    for lang in languages:
        _info(root, alert, lang, base_url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
