"""Atom feeds per language and area: well-formed, stable ids, links to CAP, escaped text."""

from __future__ import annotations

import pytest
from lxml import etree

from publish.atom import ATOM_NS, render_atom
from publish.catalog import LANGUAGES

NS = {"a": ATOM_NS}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_feed_is_well_formed_in_every_language(sample_alerts, lang) -> None:
    raw = render_atom(sample_alerts, lang=lang, base_url="https://bosai.example")
    feed = etree.fromstring(raw)  # raises if not well-formed
    entries = feed.findall("a:entry", NS)
    assert len(entries) == len(sample_alerts)
    for entry, field in [(entries[0], "title"), (entries[0], "id"), (entries[0], "updated")]:
        assert entry.findtext(f"a:{field}", namespaces=NS)
    ids = [e.findtext("a:id", namespaces=NS) for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:bosai-watch,2026:alert:") for i in ids)
    links = {e.find("a:link", NS).get("href") for e in entries}
    assert f"https://bosai.example/cap/{sample_alerts[0].id}.xml" in links
    assert feed.findtext("a:id", namespaces=NS) == f"tag:bosai-watch,2026:feed:{lang}"
    sent = [e.findtext("a:updated", namespaces=NS) for e in entries]
    assert sent == sorted(sent, reverse=True)


def test_entry_ids_are_stable_between_renders(sample_alerts) -> None:
    assert render_atom(sample_alerts, lang="en", base_url="http://x") == render_atom(
        list(reversed(sample_alerts)), lang="en", base_url="http://x")


def test_area_feed_keeps_only_that_area(sample_alerts) -> None:
    feed = etree.fromstring(render_atom(sample_alerts, lang="en", base_url="http://x", area="24202"))
    titles = [e.findtext("a:title", namespaces=NS) for e in feed.findall("a:entry", NS)]
    assert any("Yokkaichi" in t for t in titles)
    other = etree.fromstring(render_atom(sample_alerts, lang="en", base_url="http://x", area="24562"))
    assert all("Yokkaichi" not in e.findtext("a:title", namespaces=NS) for e in other.findall("a:entry", NS))
    assert feed.findtext("a:id", namespaces=NS).endswith(":area:24202")


def test_the_feed_and_the_web_share_one_area_filter(sample_alerts) -> None:
    """publish.areas.touches is the one "alert touches this area" rule: the Atom feed and the web's alert
    queries (bosai.web.queries) both use it, and an empty area keeps every alert."""
    from publish.areas import touches

    assert all(touches(a, None) and touches(a, "") for a in sample_alerts)
    assert 0 < sum(touches(a, "24562") for a in sample_alerts) < len(sample_alerts)
    for area in ("24202", "24562"):
        feed = etree.fromstring(render_atom(sample_alerts, lang="en", base_url="http://x", area=area))
        ids = {e.findtext("a:id", namespaces=NS).rsplit(":", 1)[1] for e in feed.findall("a:entry", NS)}
        assert ids == {a.id for a in sample_alerts if touches(a, area)}
    everything = etree.fromstring(render_atom(sample_alerts, lang="en", base_url="http://x", area=""))
    assert len(everything.findall("a:entry", NS)) == len(sample_alerts)


def test_hostile_html_is_escaped(sample_alerts) -> None:
    raw = render_atom(sample_alerts, lang="ja", base_url="http://x")
    assert b"<script" not in raw and b"<img" not in raw and b"&lt;script&gt;" in raw
