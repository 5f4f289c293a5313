"""Issue 16: names of places outside Mie are not moved into Mie."""

from __future__ import annotations

import pytest

from geocode import MieGeocoder
from geocode.elsewhere import PREFECTURES, clashing_names, municipality_before, prefecture_keys
from geocode.normalize import normalize


def _never_mie(begin: int, end: int) -> bool:
    return False


def test_the_other_46_prefectures() -> None:
    assert len(PREFECTURES) == 46
    assert "三重県" not in PREFECTURES
    assert {"京都", "大阪", "東京", "福岡", "北海道"} <= set(prefecture_keys())


def test_clashing_names_are_not_mie_names(shipped: MieGeocoder) -> None:
    mie = {normalize(k) for e in shipped.gazetteer.entries if e.kind != "foreign" for k in (*e.keys, *e.weak)}
    names = clashing_names()
    assert {"下鳥羽", "糸島市", "大津市", "廿日市", "伊勢原"} <= set(names)
    assert not [n for n in names if normalize(n) in mie]


@pytest.mark.parametrize(
    ("before", "after", "name"),
    [("士別市", "朝日町", "士別市"), ("出水郡", "長島町", "出水郡"), ("甲賀市土山町の", "国道1号", "土山町"),
     ("若狭町の", "鳥羽", "若狭町"), ("福山市西", "富田", "福山市"), ("町田市 ", "鶴川", "町田市")],
)
def test_municipality_before(before: str, after: str, name: str) -> None:
    assert municipality_before(before + after, len(before), _never_mie) == name


@pytest.mark.parametrize(
    ("before", "after"),
    [("城下町の", "亀山"), ("地方都市の", "津"), ("同市", "鳥羽"), ("員弁郡", "東員"), ("県内各市町の", "津")],
)
def test_common_nouns_and_mie_districts_are_not_municipalities(before: str, after: str) -> None:
    assert municipality_before(before + after, len(before), _never_mie) is None


def test_a_mie_name_before_is_not_elsewhere() -> None:
    assert municipality_before("津市芸濃町椋本", 5, lambda begin, end: begin == 2) is None


@pytest.mark.parametrize(
    "text",
    ["京都市伏見区 下鳥羽 浸水", "福岡 糸島市志摩 高潮", "鳥羽伏見の戦いの碑で倒木", "志摩(福岡)で高潮",
     "士別市朝日町で大雨", "郡山市富田町で冠水", "千葉県君津市の亀山湖が満水", "出水郡長島町で高潮"],
)
@pytest.mark.parametrize("gazetteer", ["full", "shipped"])
def test_places_elsewhere_give_none(gazetteer: str, text: str, request: pytest.FixtureRequest) -> None:
    geocoder: MieGeocoder = request.getfixturevalue(gazetteer)
    assert geocoder.resolve(text) == []


@pytest.mark.parametrize(
    ("text", "first"),
    [("鳥羽市 浸水", "鳥羽市"), ("志摩市の高潮", "志摩市"), ("津市で冠水", "津市"),
     ("三重の鳥羽で浸水、京都の鳥羽じゃない", "鳥羽市"), ("名古屋市から桑名市に向かう途中で冠水", "桑名市"),
     ("三重県員弁郡東員町で停電", "東員町")],
)
def test_mie_places_next_to_names_elsewhere(shipped: MieGeocoder, text: str, first: str) -> None:
    assert shipped.resolve(text)[0].name == first


def test_a_town_after_its_mie_municipality_is_kept(shipped: MieGeocoder) -> None:
    names = [p.name for p in shipped.resolve("三重県志摩市志摩町で高潮")]
    assert names == ["志摩町", "志摩市"]
