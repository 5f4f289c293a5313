from __future__ import annotations

from pathlib import Path

import pytest

from geocode.build import build
from geocode.gazetteer import GazetteerError, load

MUNICIPALITIES = """lg_code,jis_code,pref,county,county_kana,name,name_kana,name_roma,full_name,lat,lng,point,office_check_m
242021,24202,三重県,,,四日市市,ヨッカイチシ,Yokkaichi-shi,四日市市,34.965092,136.624427,office,10
"""
TOWNS = """lg_code,municipality,town,town_short,koaza,town_kana,kana_match,lat,lng
242021,四日市市,富田一丁目,富田一丁目,,トミダイッチョウメ,chome,35.0050,136.6520
242021,四日市市,富田二丁目,富田二丁目,,トミダニチョウメ,chome,35.0060,136.6530
242021,四日市市,北玉垣町,北玉垣町,,,,34.9000,136.6000
242021,四日市市,南玉垣町,南玉垣町,,,,34.8900,136.6000
242021,四日市市,新町,新町,,シンマチ,exact,34.9700,136.6200
242021,四日市市,大字塩浜,塩浜,,シオハマ,exact,34.9293,136.6174
"""
STATIONS = """station,line,operator,station_code,group_code,lat,lng,nearest_town_lg_code,nearest_town_municipality,nearest_town,nearest_town_m,border_check
近鉄富田,名古屋線,近畿日本鉄道,1,1,35.0065,136.6494,242021,四日市市,富田一丁目,100,x
桜,湯の山線,近畿日本鉄道,2,2,34.9950,136.5560,242021,四日市市,桜町,100,x
"""
SHELTERS = """id,kind,shelter_id,name,address,lg_code,municipality,lat,lng,flood,landslide,storm_surge,earthquake,tsunami,fire,inland_flooding,volcano,note,accepts
E1,both,S1,四日市市立富田小学校,三重県四日市市富田,242021,四日市市,35.0040,136.6480,1,0,0,1,0,0,0,0,,
E2,emergency_site,,中央公園,三重県四日市市,242021,四日市市,34.9700,136.6200,1,0,0,1,0,0,0,0,,
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "mie"
    folder.mkdir()
    for name, text in [("municipalities.csv", MUNICIPALITIES), ("towns.csv", TOWNS), ("stations.csv", STATIONS),
                       ("shelters.csv", SHELTERS)]:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_build_imports_and_groups(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "var" / "gazetteer.json"
    counts = build(source, out)
    assert counts["shelter"] == 2 and counts["municipality"] == 29
    entries = {(e.kind, e.name): e for e in load(out).entries}
    assert ("town", "富田一丁目") in entries
    assert entries[("town", "玉垣町")].lat == pytest.approx(34.895)  # 北玉垣町 + 南玉垣町
    assert "四日市市新町" in entries[("town", "新町")].keys  # common word: only with the municipality
    assert "新町" in entries[("town", "新町")].weak
    assert "塩浜" in entries[("town", "塩浜")].weak  # two characters: needs support
    assert entries[("station", "近鉄富田駅")].keys == ("近鉄富田駅", "近鉄富田")
    assert entries[("station", "近鉄富田駅")].lat == pytest.approx(35.0065)  # the official point replaces ours
    assert entries[("station", "桜駅")].weak == ("桜駅",)
    assert entries[("shelter", "四日市市立富田小学校")].keys
    assert entries[("river", "鈴鹿川")].lat is not None  # written entries come along
    assert load(out).origin == "built"


def test_build_without_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="towns.csv"):
        build(tmp_path, tmp_path / "out.json")


def test_bad_coordinates_are_reported(source: Path, tmp_path: Path) -> None:
    (source / "towns.csv").write_text(TOWNS.replace("35.0050", "north"), encoding="utf-8")
    with pytest.raises(GazetteerError, match="bad coordinates"):
        build(source, tmp_path / "out.json")
