"""Page labels from the ``pages`` gettext catalogs: every label in every language, and on the pages.

Slots and completeness of the catalogs themselves: ``tests/publish/test_i18n_catalogs.py`` (both domains).
"""

from __future__ import annotations

import json
import re
from html import escape, unescape

import pytest
from babel.messages.pofile import read_po

from bosai.web.app import create_app
from bosai.web.subscribe_text import KEYS, labels
from bosai.web.ui_text import HAZARD_KEYS, SECTION_KEYS, UI_KEYS, hazard_names, page_labels, section_labels, ui
from publish.catalog import I18N_DIR, LANGUAGES, PAGES_DOMAIN

TABLES = (("ui", UI_KEYS, ui), ("section", SECTION_KEYS, section_labels), ("hazard_name", HAZARD_KEYS, hazard_names),
          ("subscribe", KEYS, labels))
# What the public page of an empty store shows (the other labels need data or a script).
ON_THE_PAGE = {ui: ("title", "alerts", "no_alerts", "warnings", "shelters", "shelters_note", "rivers", "no_rivers",
                    "credits", "archive"),
               section_labels: ("sections", "evacuations", "no_evacuations", "near_button", "open_now", "cameras",
                                "no_cameras", "quake", "no_quake", "tsunami", "no_tsunami", "updated"),
               labels: ("heading", "note", "area", "all_areas", "language", "channel", "webhook", "address",
                        "submit")}
SETTINGS = re.compile(r'data-settings="([^"]*)"')


def _html(text: str) -> str:
    return escape(text, quote=True)


def test_the_code_asks_for_exactly_the_ids_of_the_template() -> None:
    with (I18N_DIR / f"{PAGES_DOMAIN}.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    asked = [f"{prefix}.{key}" for prefix, keys, _ in TABLES for key in keys]
    assert len(asked) == len(set(asked))
    assert set(asked) == template, f"not in the template: {set(asked) - template}, unused: {template - set(asked)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_in_every_language(lang: str) -> None:
    for prefix, keys, table in TABLES:
        got = table(lang)
        assert tuple(got) == keys, (lang, prefix)
        for key, text in got.items():
            assert text.strip() and text != f"{prefix}.{key}", (lang, prefix, key)
    if lang != "en":
        assert ui(lang)["title"] != ui("en")["title"]  # its own catalog, not the fallback


def test_a_missing_label_raises_and_an_unknown_language_reads_english() -> None:
    with pytest.raises(KeyError, match=r"'ui\.no_such_label' missing from the ko pages catalog"):
        page_labels("ui", ("no_such_label",), "ko")
    assert ui("fr") == ui("en") and labels("") == labels("en")
    assert ui("ja")["title"] == "三重県 防災ウォッチ" and hazard_names("en")["storm_surge"] == "Storm surge"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_each_page_shows_the_labels_of_its_language(aiohttp_client, ctx, lang: str) -> None:
    client = await aiohttp_client(create_app(ctx))
    page = await (await client.get(f"/public/{lang}")).text()
    for table, keys in ON_THE_PAGE.items():
        for key in keys:
            assert _html(table(lang)[key]) in page, (lang, table.__name__, key)
    assert f'<nav class="languages" aria-label="{_html(ui(lang)["languages"])}">' in page, lang  # not in English
    settings = json.loads(unescape(SETTINGS.search(page)[1]))
    assert settings["hazards"] == hazard_names(lang)
    assert settings["text"]["status_open"] == section_labels(lang)["status_open"]

    archive = await (await client.get(f"/public/{lang}/archive")).text()
    for key in ("archive", "archive_note", "no_archive", "title"):
        assert _html(ui(lang)[key]) in archive, (lang, key)

    resp = await client.get(f"/api/subscriptions/99/confirm?token=abc&lang={lang}")
    text, t = await resp.text(), labels(lang)
    assert resp.status == 404
    for key in ("confirm_title", "bad_link", "back"):
        assert _html(t[key]) in text, (lang, key)
