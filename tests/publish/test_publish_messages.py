"""Rendering alerts in nine languages: catalog templates, romanised places, local times, text/voice forms.

The golden files under ``golden/`` hold one fixed set of alerts rendered in every language, so reviewers
read them in one place and any change of wording shows up as a diff. Regenerate them after an intended
change with ``BOSAI_UPDATE_GOLDEN=1 pytest tests/publish/test_publish_messages.py``.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from publish_records import SENT, YOKKAICHI
from publish_records import alert as make_alert
from required_tools import require_tool

from kernel.published import Alert
from publish.catalog import LANGUAGES, has_message, message, po_path
from publish.colors import LEVEL_COLORS, level_color, level_words
from publish.messages import format_time, render_alert
from publish.places import localize_place
from publish.speech import has_voice, speech_form, synthesize

GOLDEN = Path(__file__).resolve().parent / "golden"
KINDS_CSV = Path(__file__).resolve().parents[2] / "publish" / "data" / "jma_kinds.csv"
# Event keys the relay sends (issue 16): every one needs a term in every catalog.
EVENT_KEYS = (
    "heavy_rain_warning", "flood_warning", "storm_warning", "storm_surge_warning", "heavy_rain_emergency_warning",
    "storm_emergency_warning", "storm_surge_emergency_warning", "heavy_rain_urgent_warning",
    "flood_urgent_warning", "storm_surge_urgent_warning", "landslide_urgent_warning", "heavy_rain_advisory",
    "flood_advisory", "storm_surge_advisory", "landslide_alert_info", "record_short_heavy_rain_info",
    "flood_caution_info", "flood_alert_info", "flood_danger_info", "flood_occurred_info",
    "major_tsunami_warning", "tsunami_warning", "tsunami_advisory", "earthquake_info",
    "landslide_advisory", "landslide_warning", "landslide_emergency_warning", "river_flood_advisory",
    "river_flood_warning", "river_flood_urgent_warning", "river_flood_emergency_warning", "blizzard_warning",
    "heavy_snow_warning", "high_wave_warning", "blizzard_emergency_warning", "heavy_snow_emergency_warning",
    "high_wave_emergency_warning", "linear_rainband_info", "nankai_trough_info", "level2_storm_surge_advisory",
    "level3_storm_surge_warning", "level4_storm_surge_urgent_warning", "level5_storm_surge_emergency_warning",
)


def golden_alerts() -> list[Alert]:
    """The fixed set rendered into the golden files (one of each kind of text the service sends)."""
    tsunami_areas = [{"code": "431", "name": "三重県南部"}, {"code": "430", "name": "伊勢・三河湾"}]
    quake_sent = datetime(2026, 9, 12, 10, 42, tzinfo=UTC)
    return [
        make_alert("level2-advisory", hazard="heavy_rain", event_key="heavy_rain_advisory", level=2,
               event_name="大雨注意報", sent=datetime(2026, 9, 12, 10, 0, tzinfo=UTC)),
        make_alert("level3-warning", hazard="heavy_rain", event_key="heavy_rain_warning", level=3,
               event_name="大雨警報", areas=[YOKKAICHI, {"code": "2420700", "name": "鈴鹿市"}]),
        make_alert("level4-flood-danger", hazard="flood", event_key="flood_danger_info", level=4,
               event_name="氾濫危険情報", areas=[{"code": "river", "name": "鈴鹿川"}]),
        make_alert("level4-river-flood-urgent", hazard="flood", event_key="river_flood_urgent_warning", level=4,
               event_name="氾濫危険警報", areas=[{"code": "river", "name": "鈴鹿川"}]),
        make_alert("level5-flood-occurred", hazard="flood", event_key="flood_occurred_info", level=5,
               event_name="氾濫発生情報"),
        make_alert("level3-storm-surge-r06", hazard="storm_surge", event_key="level3_storm_surge_warning", level=3,
               event_name="レベル３高潮警報"),
        make_alert("warning-lifted", hazard="heavy_rain", event_key="heavy_rain_warning", level=None, kind="lifted",
               event_name="大雨警報"),
        make_alert("tsunami-warning", hazard="tsunami", event_key="tsunami_warning", level=None,
               event_name="津波警報", areas=tsunami_areas),
        make_alert("tsunami-advisory", hazard="tsunami", event_key="tsunami_advisory", level=None,
               event_name="津波注意報", areas=tsunami_areas),
        make_alert("tsunami-lifted", hazard="tsunami", event_key="tsunami_warning", level=None, kind="lifted",
               event_name="津波警報", areas=tsunami_areas),
        make_alert("earthquake", hazard="earthquake", event_key="earthquake_info", level=None, kind="earthquake",
               event_name="地震情報", intensity="6-", origin_time="2026-09-12T19:38:00+09:00",
               areas=[{"code": "460", "name": "三重県北部"}], sent=quake_sent),
        make_alert("gauge-up", hazard="flood", event_key=None, level=4, kind="gauge_up", source="gauge",
               river="鈴鹿川", station="高岡", threshold="氾濫危険水位", level_m=4.1,
               areas=[{"code": "gauge:suzuka-takaoka", "name": "高岡"}, YOKKAICHI]),
        make_alert("gauge-down", hazard="flood", event_key=None, level=1, kind="gauge_down", source="gauge",
               river="鈴鹿川", station="高岡", threshold="氾濫注意水位", level_m=2.35, all_clear=True,
               areas=[{"code": "gauge:suzuka-takaoka", "name": "高岡"}, YOKKAICHI]),
        make_alert("incident", hazard="flood", event_key=None, level=None, kind="incident", source="incident",
               place="四日市市", confirmed_by="tanaka"),
        make_alert("info-nankai", hazard="earthquake", event_key="nankai_trough_info", level=None, kind="info",
               event_name="南海トラフ地震臨時情報", areas=[],
               info_text="南海トラフ地震臨時情報（巨大地震注意）を発表しました。"),
        make_alert("midnight", hazard="heavy_rain", event_key="heavy_rain_warning", level=3,
               event_name="大雨警報", sent=datetime(2026, 9, 12, 15, 0, tzinfo=UTC)),
    ]


def _golden_text(lang: str) -> str:
    """Every golden alert in ``lang``, as plain text a reviewer can read."""
    out = [f"# Bosai Watch alert texts: {lang} (generated by tests/publish/test_publish_messages.py)\n"]
    for alert in golden_alerts():
        r = render_alert(alert, lang)
        out.append(f"\n## {alert.id} (level {alert.level}, kind {alert.slots['kind']})\n")
        for field in ("event", "headline", "description", "instruction", "area_desc", "level_text",
                      "source_label", "accessible_text", "speech_text"):
            out.append(f"{field}: {getattr(r, field)}\n")
    return "".join(out)


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], Any]:
    """(alert id, lang) -> RenderedAlert for the golden set."""
    return {(a.id, lang): render_alert(a, lang) for a in golden_alerts() for lang in LANGUAGES}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_golden_texts(lang: str) -> None:
    path = GOLDEN / f"alerts.{lang}.txt"
    text = _golden_text(lang)
    if os.environ.get("BOSAI_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with BOSAI_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{lang} texts changed: diff against {path}"


# --- levels and instructions --------------------------------------------------------------------------------

def test_no_level_phrase_for_tsunami_and_earthquake(rendered) -> None:
    for alert_id in ("tsunami-warning", "tsunami-advisory", "earthquake", "info-nankai"):
        for lang in LANGUAGES:
            r = rendered[(alert_id, lang)]
            none = message(lang, "level.none")
            assert r.level_text == "" and none not in r.accessible_text and none not in r.speech_text, (alert_id, lang)
            assert r.accessible_text.startswith(r.instruction), (alert_id, lang)  # the action first
    en = rendered[("tsunami-warning", "en")]
    assert en.accessible_text.startswith("Evacuate immediately from coastal regions")
    assert not rendered[("tsunami-warning", "ja")].speech_text.endswith("警戒レベルなし。")


def test_lifted_tsunami_warning_says_keep_away_from_the_sea() -> None:
    lifted = next(a for a in golden_alerts() if a.id == "tsunami-lifted")
    assert "sea and the coast" in render_alert(lifted, "en").instruction
    for lang in LANGUAGES:
        assert render_alert(lifted, lang).instruction != message(lang, "instruction.allclear"), lang
    assert "海" in render_alert(lifted, "ja").instruction and "川" not in render_alert(lifted, "ja").instruction


def test_tsunami_advisory_says_leave_the_sea_and_warning_says_high_ground(rendered) -> None:
    assert rendered[("tsunami-advisory", "en")].instruction == (
        "Get out of the water and leave coastal regions immediately.")
    assert rendered[("tsunami-advisory", "ja")].instruction == (
        "海の中にいる人はただちに海から上がって、海岸から離れてください。")
    warning = rendered[("tsunami-warning", "en")].instruction
    assert warning.startswith("Evacuate immediately") and "hit repeatedly" in warning


def test_easy_japanese_level5_protects_life_where_people_are() -> None:
    text = message("ja-easy", "instruction.level5")
    assert "安全(あんぜん)な ところへ 行(い)って" not in text
    assert "いる ところで" in text and "上(うえ)の 階(かい)" in text


def test_headline_states_the_level_so_mild_names_cannot_hide_it(rendered) -> None:
    assert rendered[("level4-flood-danger", "en")].headline.startswith("Alert level 4: Information on potential")
    assert rendered[("level3-warning", "en")].headline.startswith("Alert level 3: ")
    assert rendered[("level3-warning", "ja")].headline.startswith("【警戒レベル3】")
    # names that already carry their level (レベル３高潮警報) are not prefixed twice
    assert rendered[("level3-storm-surge-r06", "en")].headline.startswith("Level 3 Warning (Storm Surge)")
    assert not rendered[("warning-lifted", "en")].headline.startswith("Alert level")


# --- times --------------------------------------------------------------------------------------------------

def test_earthquake_time_is_the_origin_time(rendered) -> None:
    assert "19:38" in rendered[("earthquake", "en")].description  # the report was sent at 19:42
    assert "19:42" not in rendered[("earthquake", "en")].description
    assert "午後7時38分" in rendered[("earthquake", "ja-easy")].description


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "19:40 on Sep 12"), ("pt", "19:40 do dia 12 de setembro"), ("es", "19:40 del 12 de septiembre"),
    ("vi", "19:40 ngày 12 tháng 9"), ("ja", "9月12日 19:40"), ("ja-easy", "9月12日 午後7時40分"),
    ("zh-Hans", "9月12日 19:40"), ("ko", "9월 12일 19:40"),
])
def test_time_and_date_in_the_order_of_the_language(lang: str, expected: str) -> None:
    assert format_time(SENT, lang) == expected


def test_easy_japanese_clock() -> None:
    assert format_time("2026-09-12T15:00:00+00:00", "ja-easy") == "9月13日 午前0時"  # midnight
    assert format_time("2026-09-12T10:00:00+00:00", "ja-easy") == "9月12日 午後7時"  # no needless 0分
    assert format_time("2026-09-12T06:05:00+00:00", "ja-easy") == "9月12日 午後3時5分"
    assert format_time("2026-09-12T03:00:00+00:00", "ja-easy") == "9月12日 午後0時"  # noon


def test_descriptions_read_naturally(rendered) -> None:
    assert rendered[("level3-warning", "en")].description.startswith("At 19:40 on Sep 12, the Japan")
    assert rendered[("level3-warning", "pt")].description.startswith("Às 19:40 do dia 12 de setembro, ")
    assert rendered[("level3-warning", "es")].description.startswith("A las 19:40 del 12 de septiembre, ")
    assert rendered[("level3-warning", "vi")].description.startswith("Lúc 19:40 ngày 12 tháng 9, ")


# --- grammar and scripts ------------------------------------------------------------------------------------

def _strings(lang: str) -> dict[str, str]:
    with po_path(lang).open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_korean_templates_put_no_particle_after_a_slot(rendered) -> None:
    particle = re.compile(r"%\(\w+\)s(?:을|를|이|가|은|는|의|에|에서|로|으로|와|과|도|\()")
    bad = {k: v for k, v in _strings("ko").items() if particle.search(v)}
    assert not bad
    for (alert_id, lang), r in rendered.items():
        if lang == "ko":
            assert not re.search(r"\((?:를|가|은|는|과|로)\)", r.accessible_text + r.speech_text), alert_id


def test_chinese_lists_use_the_enumeration_comma() -> None:
    assert not {k: v for k, v in _strings("zh-Hans").items() if "・" in v and not k.startswith("place.")}


def test_portuguese_lifted_headline_has_no_gender_agreement_with_the_event(rendered) -> None:
    headline = rendered[("warning-lifted", "pt")].headline
    assert headline.startswith("Cancelamento: ") and not re.search(r"cancelad[oa]", headline)


def test_english_templates_survive_event_names_that_are_sentences(rendered) -> None:
    r = rendered[("level5-flood-occurred", "en")]
    assert r.headline == "Alert level 5: River flooding has occurred (Yokkaichi City)"
    assert "issued the River" not in r.description and r.description.endswith(": River flooding has occurred.")


# --- voice --------------------------------------------------------------------------------------------------

def test_tagalog_is_not_offered_as_speech(tmp_path) -> None:
    assert not has_voice("tl") and all(has_voice(lang) for lang in LANGUAGES if lang != "tl")
    assert synthesize("Babala ng tsunami", "tl", tmp_path / "tl.wav") is None
    assert not (tmp_path / "tl.wav").exists()


def test_tagalog_names_the_japanese_intensity_scale(rendered) -> None:
    r = rendered[("earthquake", "tl")]
    assert "shindo 6-lower (iskala ng Japan)" in r.headline and "seismic intensity" not in r.headline
    assert "shindo 6-lower (iskala ng Japan)" in r.description


def test_ruby_spanning_a_nakaguro_is_read_once() -> None:
    assert speech_form("伊勢・三河湾(いせ・みかわわん)") == "いせ・みかわわん"
    assert speech_form("大雨(おおあめ)の 警報(けいほう)") == "おおあめの けいほう"
    assert speech_form("霞ヶ浦(かすみがうら)") == "かすみがうら"


# --- event keys and the info kind ---------------------------------------------------------------------------

def _relayed_keys() -> set[str]:
    keys = set(EVENT_KEYS)
    if KINDS_CSV.exists():  # the relay's table of JMA kinds, when present
        with KINDS_CSV.open(encoding="utf-8") as fh:
            keys |= {r["event_key"] for r in csv.DictReader(fh) if r.get("relay") == "1" and r.get("event_key")}
    return keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_event_key_has_a_term(lang: str) -> None:
    missing = sorted(k for k in _relayed_keys() if not has_message(lang, f"term.{k}"))
    assert not missing, (lang, missing)


def test_info_alert_says_where_the_full_text_is(rendered) -> None:
    en = rendered[("info-nankai", "en")]
    assert en.headline == "Nankai Trough Earthquake Extra Information (Japan Meteorological Agency)"
    assert "Japanese only" in en.description and "巨大地震注意" in en.description
    assert "巨大地震注意" in rendered[("info-nankai", "ja")].description
    assert "巨大地震注意" in rendered[("info-nankai", "ja-easy")].description
    assert en.level_text == "" and en.area_desc == ""


# --- earlier behaviour --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "lang", "expected"), [
    ("四日市市", "en", "Yokkaichi City"),
    ("菰野町", "en", "Komono Town"), ("鈴鹿川", "es", "Río Suzuka"), ("三重県", "vi", "Tỉnh Mie"),
    ("四日市市", "ja", "四日市市"), ("四日市市", "ja-easy", "四日市市(よっかいちし)"),
    ("菰野町", "ja-easy", "菰野町(こものちょう)"),
])
def test_place_names_per_script(name: str, lang: str, expected: str) -> None:
    assert localize_place(name, lang) == expected


def test_every_alert_renders_in_every_language(sample_alerts) -> None:
    for alert in [*sample_alerts, *golden_alerts()]:
        seen = set()
        for lang in LANGUAGES:
            r = render_alert(alert, lang)
            for field in (r.headline, r.description, r.instruction, r.sender_name, r.accessible_text,
                          r.speech_text):
                assert field and "%(" not in field, (alert.id, lang, field)
            seen.add(r.headline)
        assert len(seen) >= 8, alert.id  # really translated (ja/zh may coincide for some terms)


def test_jma_alert_is_labelled_with_its_source_and_uses_official_terms(sample_alerts) -> None:
    issued = sample_alerts[0]
    assert "出典：気象庁" in render_alert(issued, "ja").accessible_text
    en = render_alert(issued, "en")
    assert en.headline == "Alert level 3: Heavy Rain Warning (Yokkaichi City)"
    assert "Japan Meteorological Agency" in en.source_label
    assert "19:00" in en.description  # 10:00 UTC shown in Japan time
    assert render_alert(issued, "ko").event == "호우 경보"  # JMA dictionary term


def test_accessible_form_names_the_level_in_words(sample_alerts) -> None:
    gauge = sample_alerts[3]
    assert gauge.level == 4
    text = render_alert(gauge, "en").accessible_text
    assert text.startswith("Alert level 4: everyone evacuates") and "(purple)" in text
    assert "警戒レベル4" in render_alert(gauge, "ja").accessible_text
    assert "Nível de alerta 4" in render_alert(gauge, "pt").accessible_text


def test_all_clear_and_earthquake_instructions(sample_alerts) -> None:
    lifted, quake, down = sample_alerts[1], sample_alerts[2], sample_alerts[4]
    assert render_alert(lifted, "en").headline == "Lifted: Heavy Rain Warning (Yokkaichi City)"
    assert "Stay away" in render_alert(down, "en").instruction
    assert render_alert(quake, "en").instruction == "Watch out for strong tremors."
    assert "5-lower" in render_alert(quake, "en").headline
    assert "5弱" in render_alert(quake, "ja").headline


def test_colors_follow_the_warning_level_convention() -> None:
    assert LEVEL_COLORS == {5: "#0C000C", 4: "#AA00AA", 3: "#FF2800", 2: "#F2E700"}
    assert level_color(1) == level_color(None) == "#FFFFFF"
    assert level_words(5, "en") == "Alert level 5" and level_words(None, "en") == "No alert level"


def test_unknown_language_is_a_clear_error(sample_alerts) -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        render_alert(sample_alerts[0], "fr")


@pytest.mark.parametrize(("required", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_speech_program_fails_when_servers_are_required(monkeypatch, required, outcome) -> None:
    monkeypatch.setenv("BOSAI_REQUIRE_SERVERS", required)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(outcome, match="espeak-ng"):
        require_tool("espeak-ng")


def test_voice_form_is_synthesised(sample_alerts, tmp_path, espeak) -> None:
    out = synthesize(render_alert(sample_alerts[3], "en").speech_text, "en", tmp_path / "a.wav")
    assert out is not None and out.read_bytes()[:4] == b"RIFF"


def test_a_gauge_named_with_its_river_is_not_read_twice() -> None:
    station = {"code": "gauge:x", "name": "志登茂川 江戸橋"}
    gauge = make_alert("g", hazard="flood", event_key=None, level=4, kind="gauge_up", source="gauge",
                       sent=datetime(2026, 9, 12, 10, tzinfo=UTC), areas=[station], river="志登茂川",
                       station="志登茂川 江戸橋", threshold="氾濫危険水位", level_m=3.2)
    headline = render_alert(gauge, "en").headline
    assert "Shitomo River at Edobashi" in headline and headline.count("Shitomo") == 1
