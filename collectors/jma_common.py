"""Namespaces and small element helpers shared by the JMA telegram parsers."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Final

from lxml import etree

from collectors.xml_safety import text_of

NS: Final = {
    "jmx": "http://xml.kishou.go.jp/jmaxml1/",
    "ib": "http://xml.kishou.go.jp/jmaxml1/informationBasis1/",
    "mete": "http://xml.kishou.go.jp/jmaxml1/body/meteorology1/",
    "seis": "http://xml.kishou.go.jp/jmaxml1/body/seismology1/",
    "eb": "http://xml.kishou.go.jp/jmaxml1/elementBasis1/",
}
_LEVEL_RE: Final = re.compile(r"レベル\s*([1-5])")


def local(element: etree._Element) -> str:
    """The tag name of ``element`` without its namespace."""
    return str(element.tag).rpartition("}")[2]


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    """The first child named ``name`` in any namespace (JMA switches default namespaces)."""
    if element is None:
        return None
    return element.find("{*}" + name)


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    """All children named ``name`` in any namespace."""
    if element is None:
        return []
    return element.findall("{*}" + name)


def ctext(element: etree._Element | None, name: str) -> str:
    """Stripped text of the first child named ``name`` ('' when absent)."""
    return text_of(child(element, name))


def name_code(element: etree._Element | None) -> dict[str, Any]:
    """``{"name", "code"}`` of an element holding Name and Code children (None where missing)."""
    return {"name": ctext(element, "Name") or None, "code": ctext(element, "Code") or None}


def level_from_text(text: str | None) -> int | None:
    """The digit of 「レベル４」/「警戒レベル３相当」 in a name, folding full-width digits."""
    if not text:
        return None
    match = _LEVEL_RE.search(unicodedata.normalize("NFKC", text))
    return int(match.group(1)) if match else None


def to_float(text: str | None) -> float | None:
    """A float from telegram text; None for empty, NaN, infinite or unparsable values."""
    if not text:
        return None
    try:
        value = float(unicodedata.normalize("NFKC", text))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
