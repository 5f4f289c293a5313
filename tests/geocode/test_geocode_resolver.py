from __future__ import annotations

import pytest

from geocode import MieGeocoder


def _names(geocoder: MieGeocoder, text: str, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name for p in geocoder.resolve(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("四日市で道路冠水", "四日市市"),
        ("よっかいち市内で停電", "四日市市"),
        ("津で冠水してる", "津市"),
        ("鈴鹿川が氾濫危険水位", "鈴鹿川"),
        ("国道二十三号が冠水で通行止め", "国道23号"),
        ("R23 通行止め", "国道23号"),
        ("名阪国道で事故", "国道25号"),
        ("伊勢神宮の内宮で倒木", "伊勢神宮"),
        ("ナガシマスパーランド付近が渋滞", "ナガシマスパーランド"),
        ("津駅東口が冠水", "津駅"),
        ("名張の桔梗ヶ丘で倒木", "桔梗が丘"),
    ],
)
def test_shipped_finds_the_place(shipped: MieGeocoder, text: str, first: str) -> None:
    assert _names(shipped, text)[0] == first


@pytest.mark.parametrize(
    "text",
    [
        "熊本で地震",
        "名古屋駅で冠水",
        "大阪の淀川が増水",
        "津波警報が発表されました",
        "群馬県明和町で竜巻",
        "富山県朝日町で大雨",
        "埼玉県川越市で冠水",
        "大台ヶ原で大雨",
        "名古屋市緑区で冠水",
        "府中で火事",
        "伊勢海老の漁は休み",
        "台風23号が接近",
    ],
)
def test_places_elsewhere_give_none(shipped: MieGeocoder, text: str) -> None:
    assert shipped.resolve(text) == []


def test_area_comes_before_a_river_in_it(shipped: MieGeocoder) -> None:
    assert _names(shipped, "伊勢市の宮川が氾濫しそう") == ["伊勢市", "宮川"]


def test_town_comes_before_its_municipality(shipped: MieGeocoder) -> None:
    places = shipped.resolve("四日市市富田で冠水")
    assert [p.kind for p in places] == ["town", "municipality"]
    assert places[0].code == places[1].code == "242021"
    assert 0.0 < places[1].confidence <= 1.0


def test_confusable_municipality_is_kept_with_mie_context(shipped: MieGeocoder) -> None:
    assert _names(shipped, "三重県朝日町で停電") == ["朝日町"]
    assert _names(shipped, "明和町で竜巻、三重県内は注意") == ["明和町"]


def test_weak_name_needs_support(shipped: MieGeocoder) -> None:
    assert shipped.resolve("川越で浸水") == []
    assert "川越町" in _names(shipped, "四日市と川越で浸水")


def test_geotag_places_a_text_without_names(shipped: MieGeocoder) -> None:
    (place,) = shipped.resolve("膝まで水が来てる", geo=(34.9652, 136.6244))
    assert place.kind == "geotag"
    assert place.code == "242021"
    assert shipped.resolve("膝まで水が来てる", geo=(35.68, 139.77)) == []


def test_geotag_outside_the_prefecture_counts_as_elsewhere(shipped: MieGeocoder) -> None:
    assert shipped.resolve("朝日町で冠水", geo=(36.95, 137.56)) == []


def test_bad_geotag_is_ignored(shipped: MieGeocoder) -> None:
    assert _names(shipped, "津市で冠水", geo=("x", None)) == ["津市"]  # type: ignore[arg-type]
    assert _names(shipped, "津市で冠水", geo=(float("nan"), 136.5)) == ["津市"]


def test_non_text_is_a_clear_error(shipped: MieGeocoder) -> None:
    with pytest.raises(TypeError, match="text must be str"):
        shipped.resolve(None)  # type: ignore[arg-type]


def test_empty_and_odd_texts(shipped: MieGeocoder) -> None:
    assert shipped.resolve("") == []
    assert shipped.resolve("🌧️🌧️ http://example.com 123") == []


def test_full_disambiguates_a_shared_town_name_by_municipality(full: MieGeocoder) -> None:
    (town, *_) = full.resolve("名張市の新町で冠水")
    assert town.name == "新町"
    assert town.municipality == "名張市"
    (town, *_) = full.resolve("松阪市新町で冠水")
    assert town.municipality == "松阪市"


def test_full_finds_stations_and_shelters(full: MieGeocoder) -> None:
    assert _names(full, "白塚駅付近で倒木")[0] == "白塚駅"
    assert _names(full, "近鉄名古屋線の白塚駅で運転見合わせ")[0] == "白塚駅"


def test_kana_names_are_not_found_inside_verbs(shipped: MieGeocoder) -> None:
    assert shipped.resolve("避難しました") == []  # しまし is not 志摩市
    assert _names(shipped, "なばりで停電") == ["名張市"]


def test_latin_spellings(shipped: MieGeocoder) -> None:
    assert _names(shipped, "Flooding near Tsu station")[0] == "津市"
    assert set(_names(shipped, "Road closed on Route 42 in Kihoku")) == {"紀北町", "国道42号"}
    assert shipped.resolve("tsunami warning issued") == []


def test_tail_of_a_longer_word_is_rejected(full: MieGeocoder) -> None:
    assert full.resolve("小田原町で停電") == []  # not 田原町 (松阪市)
    assert full.resolve("高松市で冠水") == []  # 高松 (川越町) followed by 市 is another city


def test_town_right_after_a_municipality_belongs_to_it(full: MieGeocoder) -> None:
    (town, muni) = full.resolve("亀山市本町で浸水")
    assert (town.name, town.municipality, muni.name) == ("本町", "亀山市", "亀山市")
    assert full.resolve("桑名市寿町で停電")[0].municipality == "桑名市"


def test_resolve_from_threads(shipped: MieGeocoder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["四日市市富田で冠水", "津で冠水", "熊本で地震"] * 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda t: [p.name for p in shipped.resolve(t)], texts))
    assert results[:3] == [["富田", "四日市市"], ["津市"], []]
    assert results == results[:3] * 20
