"""Atom 1.0 feeds of alerts per language (and optionally per area), each entry linking to its CAP file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from lxml import etree

from kernel.published import Alert
from publish.areas import touches
from publish.cap import CAP_LANGUAGES, cap_time
from publish.catalog import check_language, message
from publish.messages import render_alert

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
TAG_AUTHORITY: Final = "bosai-watch,2026"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def render_atom(alerts: list[Alert], *, lang: str, base_url: str, area: str | None = None) -> bytes:
    """The feed (UTF-8 bytes), newest first; ``area`` keeps only alerts touching that municipality code."""
    check_language(lang)
    base = base_url.rstrip("/")
    chosen = sorted((a for a in alerts if touches(a, area)), key=lambda a: (a.sent, a.id), reverse=True)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", CAP_LANGUAGES[lang])
    suffix = f":area:{area}" if area else ""
    _sub(feed, "id", f"tag:{TAG_AUTHORITY}:feed:{lang}{suffix}")
    _sub(feed, "title", message(lang, "feed.title") + (f" ({area})" if area else ""))
    updated = max((a.sent for a in chosen), default=datetime(2026, 1, 1, tzinfo=UTC))
    _sub(feed, "updated", cap_time(updated))
    author = _sub(feed, "author")
    _sub(author, "name", message(lang, "sender.name"))
    query = f"?area={area}" if area else ""
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/feeds/{lang}.atom{query}")
    for alert in chosen:
        text = render_alert(alert, lang)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{TAG_AUTHORITY}:alert:{alert.id}")
        _sub(entry, "title", text.headline)
        _sub(entry, "updated", cap_time(alert.sent))
        _sub(entry, "published", cap_time(alert.sent))
        _sub(entry, "category", term=alert.hazard)
        _sub(entry, "link", rel="alternate", type="application/cap+xml", href=f"{base}/cap/{alert.id}.xml")
        _sub(entry, "summary", text.accessible_text)
        _sub(entry, "content", f"{text.description}\n{text.instruction}\n{text.source_label}", type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
