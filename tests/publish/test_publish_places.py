"""Place names read right in every language: readings tables first, MeCab whole-word readings only as a fallback."""

from __future__ import annotations

import json
import logging
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bosai.demo.scenario_build import areas as demo_areas
from bosai.demo.scenario_build import gauges as demo_gauges
from bosai.demo.scenario_build import rivers as demo_rivers
from collectors.xml_safety import parse_xml
from publish.catalog import LANGUAGES
from publish.kana import kana_to_hangul, kana_to_romaji
from publish.municipalities import municipalities
from publish.places import (
    has_reading,
    localize_place,
    localize_places,
    lookup,
    place_table,
    reading,
    ruby,
    split_place,
)

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "bosai" / "demo" / "scenario"
FIXTURES = ROOT / "tests" / "fixtures" / "jma"
NAMED = ("Area", "Station", "Pref", "City")  # elements whose Name a resident may be shown (not intensity stations)
JAPANESE = re.compile(r"[\u3040-\u30ff\u3005\u4e00-\u9fff]")


def _config_names() -> Iterator[str]:
    config = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    for source in config.get("sources", []):
        for gauge in source.get("gauges", []):
            yield from (gauge["river"], gauge["name"])


def _demo_data_names() -> Iterator[str]:
    for gauge in json.loads((SCENARIO / "gauges.json").read_text(encoding="utf-8"))["gauges"]:
        yield from (gauge["river"], gauge["station"], gauge["name"], gauge["city"])
    for row in demo_gauges.GAUGES:
        yield from (row[1], row[2], row[4])
    yield demo_areas.PREFECTURE[0]
    yield from demo_areas.PRIMARY.values()
    yield from (name for name, _ in demo_areas.REGIONS.values())
    yield from (name for name, _, _ in demo_areas.MUNICIPALITIES.values())
    yield from (name for _, name in demo_areas.landslide_areas())
    yield from (row[3] for row in demo_rivers.FORECAST_RIVERS.values())


def _telegram_names() -> Iterator[str]:
    files = sorted((SCENARIO / "telegrams").glob("*.xml")) + sorted(FIXTURES.glob("mie_*.xml")) + sorted(
        FIXTURES.glob("other_*.xml"))
    assert len(files) > 20
    for path in files:
        for el in parse_xml(path.read_bytes()).iter():
            parent = el.getparent()
            if isinstance(el.tag, str) and el.tag.endswith("}Name") and parent is not None and any(
                    str(parent.tag).endswith("}" + tag) for tag in NAMED) and el.text:
                yield el.text.strip()


def _incident_places() -> Iterator[str]:
    """What the demo's incidents are named after: the first place the shipped gazetteer finds in each post."""
    from geocode.gazetteer import load
    from geocode.resolver import MieGeocoder

    geocoder = MieGeocoder(load(ROOT / "geocode" / "data" / "gazetteer.json"))
    for line in (SCENARIO / "posts.jsonl").read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        if post["expect"]["label"] == "disaster" and post["lang"] == "ja":
            places = geocoder.resolve(post["text"], geo=tuple(post["geo"]) if post["geo"] else None)
            if places:
                yield places[0].name


@pytest.fixture(scope="module")
def produced() -> set[str]:
    """Every place name config.toml and the demo can put in front of a resident."""
    names = {*_config_names(), *_demo_data_names(), *_telegram_names(), *_incident_places()}
    return {n for n in names if n}


def test_every_place_the_config_and_demo_produce_has_a_table_reading(produced: set[str]) -> None:
    assert {"志登茂川 江戸橋", "伊勢・三河湾", "三重県南部", "津市中西部", "紀勢・東紀州", "鈴鹿川"} <= produced
    assert len(produced) > 100
    missing = sorted(n for n in produced if not has_reading(n))
    assert not missing, f"add these to publish/data/readings.csv: {missing}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in ("ja", "ja-easy", "zh-Hans")])
def test_produced_names_leave_no_japanese_script_outside_japanese(produced: set[str], lang: str) -> None:
    left = {n: localize_place(n, lang) for n in produced if JAPANESE.search(localize_place(n, lang))}
    assert not left, left


def test_gauge_reads_shitomo_edobashi_not_kanji_by_kanji() -> None:
    assert split_place("志登茂川 江戸橋") == [["志登茂川"], ["江戸橋"]]
    pt = localize_place("志登茂川 江戸橋", "pt")
    assert "Shitomo" in pt and "Edobashi" in pt and "Kokorozashi" not in pt
    assert localize_place("志登茂川 江戸橋", "en") == "Shitomo River, Edobashi"
    assert localize_place("雲出川 大仰", "en") == "Kumozu River, Onoki"
    assert reading("志登茂川 江戸橋") == "しともがわ えどばし"


def test_jma_areas_are_described_not_romanised() -> None:
    assert localize_place("三重県南部", "en") == "Southern Mie"
    assert localize_place("三重県北部", "en") == "Northern Mie"
    assert localize_place("三重県中部", "en") == "Central Mie"
    assert localize_place("伊勢・三河湾", "en") == "Ise Bay and Mikawa Bay"
    assert localize_place("北中部", "en") == "Northern and Central Mie"
    assert localize_place("北勢", "en") == "Hokusei" and lookup("北勢").kana == "ほくせい"
    assert localize_place("中勢", "en") == "Chusei" and lookup("中勢").kana == "ちゅうせい"
    assert localize_place("松阪市西部", "en") == "Western Matsusaka"
    assert "Ken" not in localize_place("三重県南部", "pt")


def test_easy_japanese_gets_furigana_that_speech_can_replace() -> None:
    assert localize_place("志登茂川", "ja-easy") == "志登茂川(しともがわ)"
    assert localize_place("志登茂川 江戸橋", "ja-easy") == "志登茂川(しともがわ) 江戸橋(えどばし)"
    assert localize_place("朝明川", "ja-easy") == "朝明川(あさけがわ)"
    assert localize_place("雲出川", "ja-easy") == "雲出川(くもずがわ)"
    assert localize_place("いなべ市", "ja-easy") == "いなべ市(し)"  # ruby over the kanji only
    assert localize_place("伊勢・三河湾", "ja-easy") == "伊勢(いせ)・三河湾(みかわわん)"
    assert ruby("桔梗が丘", "ききょうがおか") == "桔梗(ききょう)が丘(おか)"
    assert localize_place("志登茂川", "ja") == "志登茂川"


def test_simplified_chinese_names() -> None:
    assert localize_place("三重県", "zh-Hans") == "三重县"
    assert localize_place("雲出川", "zh-Hans") == "云出川"
    assert localize_place("四日市市", "zh-Hans") == "四日市市"
    assert localize_place("鈴鹿市", "zh-Hans") == "铃鹿市"
    assert localize_place("志登茂川 江戸橋", "zh-Hans") == "志登茂川 江户桥"
    assert localize_places(["三重県南部", "伊勢・三河湾"], "zh-Hans") == "三重县南部、伊势湾・三河湾"


def test_korean_names_are_hangul_only() -> None:
    assert localize_place("津市", "ko") == "쓰시"
    assert localize_place("四日市市", "ko") == "욧카이치시"
    assert localize_place("菰野町", "ko") == "고모노정"
    assert localize_place("志登茂川 江戸橋", "ko") == "시토모강 에도바시"
    for name in place_table():
        ko = localize_place(name, "ko")
        assert ko and not JAPANESE.search(ko), (name, ko)


def test_kana_transcriptions() -> None:
    assert kana_to_romaji("とういん") == "toin" and kana_to_romaji("おおうちやま") == "ouchiyama"
    assert kana_to_romaji("いっしんでん") == "isshinden" and kana_to_romaji("まっちゃ") == "matcha"
    assert kana_to_hangul("よっかいち") == "욧카이치" and kana_to_hangul("つ") == "쓰"
    assert kana_to_hangul("とういん") == "도인" and kana_to_hangul("ちょうし") == "조시"


def test_the_29_municipalities_use_the_official_master() -> None:
    if not municipalities():
        pytest.skip("../shared/data/mie is not present")
    assert len(municipalities()) == 29
    for muni in municipalities():
        entry = lookup(muni.name)
        assert entry is not None and entry.kana == muni.reading, muni.name
        assert entry.romaji and entry.romaji.lower() in muni.roma.lower(), (muni.name, muni.roma)
        assert entry.zh_hans and entry.ko, muni.name
    assert localize_place("東員町", "en") == "Toin Town"
    assert localize_place("津市", "pt") == "Tsu"  # reads "para Tsu", "em Tsu", "perto de Tsu"
    assert localize_place("三重郡菰野町", "en") == "Komono Town"
    assert localize_place("津市一志", "en") == "Ichishi, Tsu City"


def test_numbered_roads_keep_their_number() -> None:
    assert localize_place("国道23号", "en") == "National Route 23"
    assert localize_place("国道23号", "ko") == "국도 23호선"
    assert localize_place("国道23号", "ja-easy") == "国道(こくどう)23号(ごう)"


def test_unknown_name_is_read_as_a_whole_word_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="publish.places")
    name = "宮川ダム"
    assert not has_reading(name)
    assert reading(name) == "みやがわだむ"  # 宮川 as one word, not 宮 + 川
    assert localize_place(name, "en") == "Miyagawadamu"
    assert localize_place(name, "ko") == "미야가와다무"
    localize_place(name, "pt")
    logged = [r.getMessage() for r in caplog.records if "place_reading_missing" in r.getMessage()]
    assert logged == [f"place_reading_missing name={name}"]


def test_unknown_river_keeps_its_template() -> None:
    assert localize_place("相川", "en").endswith(" River")
    assert localize_place("相川", "ja-easy").startswith("相川(")
