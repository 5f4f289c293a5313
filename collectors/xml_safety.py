"""Hardened XML parsing for untrusted feeds: no DTDs, no entities, no network, bounded trees."""

from __future__ import annotations

from typing import Final

from lxml import etree

from kernel.errors import SourceDataError

_FORBIDDEN: Final = (b"<!DOCTYPE", b"<!ENTITY")
_FALLBACK_ENCODINGS: Final = ("cp932", "euc_jp")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """Parse ``data`` and return the root element; raise SourceDataError on DTDs, entities or bad XML.

    A document without an encoding declaration that is not UTF-8 (a Shift_JIS or EUC-JP body) is
    decoded with the usual Japanese encodings before giving up, so such telegrams are not lost.
    """
    if not data.strip():
        raise SourceDataError("empty XML document", raw=data)
    ascii_view = data.replace(b"\x00", b"")  # UTF-16/32 markup reads as ASCII once its NUL bytes are gone
    upper = ascii_view[:4096].upper()
    if any(marker in upper for marker in _FORBIDDEN) or b"<!ENTITY" in ascii_view:
        raise SourceDataError("XML with a DTD or entity declarations is rejected", raw=data)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as err:
        root = _parse_undeclared_encoding(data, err)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise SourceDataError("XML with a DTD is rejected", raw=data)
    return root


def _parse_undeclared_encoding(data: bytes, err: etree.XMLSyntaxError) -> etree._Element:
    if b"encoding=" in data[:200]:
        raise SourceDataError(f"malformed XML: {err}", raw=data) from err
    for encoding in _FALLBACK_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return etree.fromstring(text.encode("utf-8"), parser=_parser())
        except etree.XMLSyntaxError:
            continue
    raise SourceDataError(f"malformed XML (undeclared encoding?): {err}", raw=data) from err


def text_of(element: etree._Element | None) -> str:
    """The stripped text of ``element``, or an empty string when it is missing."""
    if element is None or element.text is None:
        return ""
    return element.text.strip()
