"""Meta-tests of the catalogs: every message in every language, same slots, glossary terms used.

The completeness, slot, review and source checks run on both domains (``bosai`` alerts, ``pages`` labels).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from publish.catalog import DOMAIN, DOMAINS, I18N_DIR, LANGUAGES, PAGES_DOMAIN, compile_catalog, po_path, translations

SLOT = re.compile(r"%\((\w+)\)s")
GLOSSARY = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "i18n" / "glossary.csv"
COLUMNS = {"ja": "ja", "en": "en", "pt": "pt", "zh-Hans": "zh_hans", "ko": "ko", "es": "es", "tl": "tl",
           "vi": "vi"}


def _catalog(lang: str, domain: str = DOMAIN):
    with po_path(lang, domain).open("rb") as fh:
        return read_po(fh)


def _template_ids(domain: str = DOMAIN) -> set[str]:
    with (I18N_DIR / f"{domain}.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_present_with_the_same_slots(lang: str, domain: str) -> None:
    ids = _template_ids(domain)
    assert len(ids) > 50
    reference = {m.id: set(SLOT.findall(m.string)) for m in _catalog("ja", domain) if m.id}
    catalog = {m.id: m for m in _catalog(lang, domain) if m.id}
    assert set(catalog) == ids, f"{lang}: missing {ids - set(catalog)}, extra {set(catalog) - ids}"
    for msgid, msg in catalog.items():
        assert msg.string.strip(), f"{lang}: {msgid} is empty"
        assert not msg.fuzzy, f"{lang}: {msgid} is fuzzy (hidden at run time)"
        assert set(SLOT.findall(msg.string)) == reference[msgid], f"{lang}: {msgid} slots differ"
        assert "%" not in SLOT.sub("", msg.string), f"{lang}: {msgid} has a stray %"


# The Japanese page labels are the source the others were written from; all alert texts await review.
@pytest.mark.parametrize(("lang", "domain"), [(lang, domain) for domain in DOMAINS for lang in LANGUAGES
                                              if (lang, domain) != ("ja", PAGES_DOMAIN)])
def test_own_texts_are_marked_for_review_and_glossary_texts_name_their_source(lang: str, domain: str) -> None:
    for msg in _catalog(lang, domain):
        if not msg.id:
            continue
        notes = " ".join(msg.user_comments)
        assert "awaiting native review" in notes or notes.startswith("glossary "), (lang, msg.id)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "ja-easy"])
def test_glossary_cells_are_used_where_they_exist(lang: str) -> None:
    rows = {r["key"]: r for r in csv.DictReader(GLOSSARY.open(encoding="utf-8"))}
    catalog = {m.id: m for m in _catalog(lang) if m.id}
    checked = 0
    for msgid, msg in catalog.items():
        key = msgid.removeprefix("term.")
        cell = rows.get(key, {}).get(COLUMNS[lang], "").strip()
        if msgid.startswith("term.") and cell:
            assert msg.string.rstrip(".") == cell.rstrip("."), (lang, msgid)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(("domain", "msgid"), [(DOMAIN, "sender.name"), (PAGES_DOMAIN, "ui.title")])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_compiles_and_loads(lang: str, domain: str, msgid: str) -> None:
    assert compile_catalog(lang, domain).startswith(b"\xde\x12\x04\x95")  # little-endian .mo magic
    assert translations(lang, domain).gettext(msgid) != msgid
    with pytest.raises(ValueError, match="unknown catalog domain"):
        po_path(lang, "nope")


def test_easy_japanese_keeps_official_names_and_uses_furigana() -> None:
    easy = {m.id: m.string for m in _catalog("ja-easy") if m.id}
    assert easy["term.heavy_rain_warning"].startswith("大雨警報")
    assert "(たか)" in easy["instruction.level4"] or "(に)げて" in easy["instruction.level4"]
    for msgid, text in easy.items():
        for sentence in re.split(r"[。]", SLOT.sub("", re.sub(r"\([ぁ-ん ]+\)|〈[^〉]*〉", "", text))):
            assert len(sentence.replace(" ", "")) <= 40, (msgid, sentence)


def test_easy_japanese_ruby_is_fully_replaced_in_the_voice_form() -> None:
    from publish.speech import speech_form

    left = re.compile(r"\([ぁ-ゟ・ー ]+\)")
    easy = {m.id: m.string for m in _catalog("ja-easy") if m.id and not m.id.startswith("place.")}
    assert not {k: v for k, v in easy.items() if left.search(speech_form(v))}  # a base the pattern misses


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in ("ja", "ja-easy")])
def test_new_entries_name_their_japanese_source(lang: str, domain: str) -> None:
    for msg in _catalog(lang, domain):
        if msg.id and not msg.id.startswith("place."):
            assert any(c.startswith("ja:") for c in msg.auto_comments), (lang, msg.id)
