"""CAP 1.2 output: valid against the OASIS schema, one <info> per language, escaped text, references."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from publish.cap import CAP_LANGUAGES, CAP_NS, render_cap
from publish.catalog import LANGUAGES

CAP_XSD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "schemas" / "cap12.xsd"
NS = {"cap": CAP_NS}
SENDER = "bosai-watch@mie.example"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not CAP_XSD.exists():
        pytest.skip("OASIS CAP 1.2 schema not available")
    return etree.XMLSchema(etree.parse(str(CAP_XSD)))


def _cap(alert) -> etree._Element:
    return etree.fromstring(render_cap(alert, sender=SENDER, base_url="https://bosai.example/"))


def test_every_alert_is_valid_cap(sample_alerts, schema) -> None:
    for alert in sample_alerts:
        doc = _cap(alert)
        assert schema.validate(doc), (alert.id, schema.error_log)
        langs = [e.text for e in doc.findall("cap:info/cap:language", NS)]
        assert langs == [CAP_LANGUAGES[lang] for lang in LANGUAGES]
        assert doc.findtext("cap:identifier", namespaces=NS) == alert.id
        assert not doc.findtext("cap:sent", namespaces=NS).endswith("Z")


def test_jma_alert_names_its_source_and_geocodes(sample_alerts) -> None:
    doc = _cap(sample_alerts[0])
    assert "出典：気象庁" in doc.findtext("cap:note", namespaces=NS)
    assert doc.findtext("cap:info/cap:description", namespaces=NS).endswith("出典：気象庁")
    geocode = doc.find("cap:info/cap:area/cap:geocode", NS)
    assert geocode.findtext("cap:valueName", namespaces=NS) == "JMA-AREA"
    assert geocode.findtext("cap:value", namespaces=NS) == "2420200"
    en = doc.findall("cap:info", NS)[2]
    assert en.findtext("cap:areaDesc", namespaces={"cap": CAP_NS}) is None
    assert en.findtext("cap:area/cap:areaDesc", namespaces=NS) == "Yokkaichi City"


def test_cancel_references_the_original(sample_alerts) -> None:
    original, lifted = sample_alerts[0], sample_alerts[1]
    doc = _cap(lifted)
    assert doc.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert doc.findtext("cap:references", namespaces=NS) == f"{SENDER},{original.id},2026-09-12T19:00:00+09:00"
    assert doc.findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"


def test_point_alerts_have_circles(sample_alerts) -> None:
    circle = _cap(sample_alerts[3]).findtext("cap:info/cap:area/cap:circle", namespaces=NS)
    assert circle.startswith("34.96600,136.62600 ")


def test_hostile_html_stays_escaped(sample_alerts) -> None:
    raw = render_cap(sample_alerts[5], sender=SENDER, base_url="https://bosai.example")
    assert b"<script" not in raw and b"<img" not in raw
    assert b"&lt;script&gt;" in raw
    doc = etree.fromstring(raw)
    assert '<script>alert("x")</script>' in doc.findtext("cap:info/cap:headline", namespaces=NS)
