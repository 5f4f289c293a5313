"""Rendering alerts in nine languages: catalog templates, romanised places, local times, text/voice forms."""

from __future__ import annotations

import shutil

import pytest

from publish.catalog import LANGUAGES
from publish.colors import LEVEL_COLORS, level_color, level_words
from publish.messages import format_time, render_alert
from publish.places import localize_place
from publish.speech import speech_form, synthesize


@pytest.mark.parametrize(("name", "lang", "expected"), [
    ("四日市市", "en", "Yokkaichi City"), ("四日市市", "pt", "Cidade de Yokkaichi"),
    ("菰野町", "en", "Komono Town"), ("鈴鹿川", "es", "Río Suzuka"), ("三重県", "vi", "Tỉnh Mie"),
    ("四日市市", "ja", "四日市市"), ("四日市市", "zh-Hans", "四日市市"), ("四日市市", "ko", "四日市市"),
    ("四日市市", "ja-easy", "四日市市(よっかいちし)"), ("菰野町", "ja-easy", "菰野町(こものちょう)"),
])
def test_place_names_per_script(name: str, lang: str, expected: str) -> None:
    assert localize_place(name, lang) == expected


def test_every_alert_renders_in_every_language(alert_set) -> None:
    for alert in alert_set:
        seen = set()
        for lang in LANGUAGES:
            r = render_alert(alert, lang)
            for field in (r.headline, r.description, r.instruction, r.sender_name, r.accessible_text,
                          r.speech_text):
                assert field and "%(" not in field, (alert.id, lang, field)
            seen.add(r.headline)
        assert len(seen) >= 8, alert.id  # really translated (ja/zh may coincide for some terms)


def test_jma_alert_is_labelled_with_its_source_and_uses_official_terms(alert_set) -> None:
    issued = alert_set[0]
    assert "出典：気象庁" in render_alert(issued, "ja").accessible_text
    en = render_alert(issued, "en")
    assert en.headline == "Heavy Rain Warning for Yokkaichi City"
    assert "Japan Meteorological Agency" in en.source_label
    assert "19:00" in en.description  # 10:00 UTC shown in Japan time
    assert render_alert(issued, "ko").event == "호우 경보"  # JMA dictionary term


def test_accessible_form_names_the_level_in_words(alert_set) -> None:
    gauge = alert_set[3]
    assert gauge.level == 4
    text = render_alert(gauge, "en").accessible_text
    assert text.startswith("Alert level 4: everyone evacuates") and "(purple)" in text
    assert "警戒レベル4" in render_alert(gauge, "ja").accessible_text
    assert "Nível de alerta 4" in render_alert(gauge, "pt").accessible_text


def test_all_clear_and_earthquake_instructions(alert_set) -> None:
    lifted, quake, down = alert_set[1], alert_set[2], alert_set[4]
    assert render_alert(lifted, "en").headline == "Heavy Rain Warning lifted for Yokkaichi City"
    assert "Stay away" in render_alert(down, "en").instruction
    assert render_alert(quake, "en").instruction == "Watch out for strong tremors."
    assert "5-lower" in render_alert(quake, "en").headline
    assert "5弱" in render_alert(quake, "ja").headline


def test_colors_follow_the_warning_level_convention() -> None:
    assert LEVEL_COLORS == {5: "#0C000C", 4: "#AA00AA", 3: "#FF2800", 2: "#F2E700"}
    assert level_color(1) == level_color(None) == "#FFFFFF"
    assert level_words(5, "en") == "Alert level 5" and level_words(None, "en") == "No alert level"


def test_easy_japanese_time_and_speech_form() -> None:
    assert format_time("2026-09-12T06:05:00+00:00", "ja-easy") == "9月12日 午後3時5分"
    assert speech_form("大雨(おおあめ)の 警報(けいほう)") == "おおあめの けいほう"


def test_unknown_language_is_a_clear_error(alert_set) -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        render_alert(alert_set[0], "fr")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_voice_form_is_synthesised(alert_set, tmp_path) -> None:
    out = synthesize(render_alert(alert_set[3], "en").speech_text, "en", tmp_path / "a.wav")
    assert out is not None and out.read_bytes()[:4] == b"RIFF"
