"""Small lxml helpers that lay out the common Control/Head skeleton of a JMA disaster XML telegram."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from lxml import etree

NS_JMX: Final = "http://xml.kishou.go.jp/jmaxml1/"
NS_IB: Final = "http://xml.kishou.go.jp/jmaxml1/informationBasis1/"
NS_METE: Final = "http://xml.kishou.go.jp/jmaxml1/body/meteorology1/"
NS_SEIS: Final = "http://xml.kishou.go.jp/jmaxml1/body/seismology1/"
NS_EB: Final = "http://xml.kishou.go.jp/jmaxml1/elementBasis1/"
TSU_OFFICE: Final = "津地方気象台"
_ZEN = str.maketrans("0123456789.", "０１２３４５６７８９．")


def zen(text: str) -> str:
    """Full-width digits, as JMA headline texts write them."""
    return text.translate(_ZEN)


def sub(parent: etree._Element, tag: str, text: str | None = None, ns: str | None = None,
        **attrs: str) -> etree._Element:
    """Append a child in the parent's namespace (or ``ns``) with optional text and attributes."""
    namespace = ns if ns is not None else etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{namespace}}}{tag}" if namespace else tag, attrs)
    if text is not None:
        el.text = text
    return el


def report(control_title: str, at: datetime, *, editorial: str = TSU_OFFICE,
           publishing: str = TSU_OFFICE) -> etree._Element:
    """A ``<Report>`` with its ``<Control>``; ``Control/DateTime`` is UTC with a Z."""
    root = etree.Element(f"{{{NS_JMX}}}Report", nsmap={None: NS_JMX, "jmx": NS_JMX})
    control = sub(root, "Control")
    sub(control, "Title", control_title)
    sub(control, "DateTime", at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    sub(control, "Status", "通常")
    sub(control, "EditorialOffice", editorial)
    sub(control, "PublishingOffice", publishing)
    return root


def head(root: etree._Element, *, title: str, at: datetime, info_kind: str, version: str,
         event_id: str = "", serial: str = "", info_type: str = "発表", text: str = "") -> etree._Element:
    """Append ``<Head>`` (jmx_ib default namespace) and return its ``<Headline>``."""
    h = etree.SubElement(root, f"{{{NS_IB}}}Head", nsmap={None: NS_IB})
    stamp = at.isoformat(timespec="seconds")
    sub(h, "Title", title)
    sub(h, "ReportDateTime", stamp)
    sub(h, "TargetDateTime", stamp)
    sub(h, "EventID", event_id)
    sub(h, "InfoType", info_type)
    sub(h, "Serial", serial)
    sub(h, "InfoKind", info_kind)
    sub(h, "InfoKindVersion", version)
    headline = sub(h, "Headline")
    sub(headline, "Text", text)
    return headline


def body(root: etree._Element, ns: str) -> etree._Element:
    """Append ``<Body>`` in the namespace of its kind (meteorology or seismology)."""
    return etree.SubElement(root, f"{{{ns}}}Body", nsmap={None: ns, "jmx_eb": NS_EB})


def area(parent: etree._Element, name: str, code: str, tag: str = "Area") -> etree._Element:
    """Append an ``<Area>`` with Name and Code."""
    el = sub(parent, tag)
    sub(el, "Name", name)
    sub(el, "Code", code)
    return el


def to_bytes(root: etree._Element) -> bytes:
    """Serialise as UTF-8 with the XML declaration, indented."""
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
