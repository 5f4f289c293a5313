"""Parsing of JMA telegrams: official samples, our Mie fixtures, hostile and broken inputs."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from collector_paths import FIXTURES, SAMPLES

from bosai.bench import parse as bench_parse_module
from bosai.bench.parse import bench_parse
from collectors import jma_xml
from collectors.jma_seismo import parse_coordinate, tsunami_category
from collectors.jma_xml import parse_file_result, parse_report
from kernel.errors import SourceDataError


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def report(name: str):
    return parse_report(load(name), source="jma_test", source_id=name)


needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="official JMA samples not present")


@needs_samples
@pytest.mark.parametrize(
    ("sample", "report_type"),
    [
        ("15_08_01_130412_VPWW53.xml", "warning"),
        ("15_11_01_150916_VPWW54.xml", "warning"),
        ("15_16_01_241031_VPWW56.xml", "warning"),
        ("15_16_03_241226_VPWW55.xml", "warning"),
        ("16_01_01_220728_VXKOii.xml", "flood_forecast"),
        ("17_01_01_190529_VXWW50.xml", "landslide"),
        ("17_04_01_250630_VXWW50.xml", "landslide"),
        ("18_01_01_100806_VPOA50.xml", "heavy_rain"),
        ("32-35_01_03_100514_VXSE53.xml", "earthquake"),
        ("32-35_06_02_100915_VXSE52.xml", "earthquake"),
        ("32-35_07_01_100915_VXSE51.xml", "earthquake"),
        ("32-39_11_03_250206_VTSE51.xml", "tsunami"),
        ("32-39_12_02_250206_VTSE41.xml", "tsunami"),
    ],
)
def test_official_samples_parse_to_their_type(sample: str, report_type: str) -> None:
    parsed = parse_report((SAMPLES / sample).read_bytes(), source="jma", source_id=sample)
    assert parsed.report_type == report_type
    assert parsed.report_datetime.utcoffset() is not None
    assert all("type" in item for item in parsed.items)
    json.dumps(parsed.to_json(), ensure_ascii=False)  # JSON-able all the way down


@needs_samples
def test_every_sample_file_in_the_folder_parses() -> None:
    results = [parse_file_result(str(p)) for p in sorted(SAMPLES.glob("*.xml"))]
    assert results and all(r["ok"] for r in results), [r for r in results if not r["ok"]]


@needs_samples
def test_vpww56_new_system_levels_from_significancy() -> None:
    parsed = parse_report((SAMPLES / "15_16_01_241031_VPWW56.xml").read_bytes(), source="jma", source_id="x")
    city = next(i for i in parsed.items if i["area_code"] == "0121400")
    assert city["kind_code"] == "49" and city["level"] == 4 and city["last_kind_code"] == "09"


@needs_samples
def test_vtse41_training_status_is_kept() -> None:
    parsed = parse_report((SAMPLES / "32-39_12_02_250206_VTSE41.xml").read_bytes(), source="jma", source_id="x")
    assert parsed.status == "訓練"
    first = parsed.items[0]
    assert first["category"] == "大津波警報" and first["max_height_m"] is None
    assert first["max_height_description"] == "巨大"


def test_vpww54_warnings_per_area_with_levels() -> None:
    r = report("mie_vpww54_warnings.xml")
    assert (r.report_type, r.info_kind, r.status, r.publishing_office) == ("warning", "気象警報・注意報", "通常",
                                                                          "津地方気象台")
    by_area = {}
    for item in r.items:
        by_area.setdefault(item["area_code"], []).append(item)
    toin = {i["kind_code"]: i for i in by_area["2432400"]}
    assert toin["33"]["special"] and toin["33"]["level"] == 5 and toin["33"]["area_name"] == "東員町"
    yokkaichi = {i["kind_code"]: i for i in by_area["2420200"]}
    assert yokkaichi["03"]["level"] == 3 and yokkaichi["14"]["level"] is None
    tsu = by_area["2420100"][0]
    assert tsu["status"] == "解除" and not tsu["in_force"] and tsu["level"] is None
    owase = by_area["2420900"][0]
    assert owase["kind_code"] is None and owase["status"] == "発表警報・注意報はなし"
    assert r.level == 5
    assert {"240000", "2420200", "2432400", "2420100", "2420900"} <= set(r.area_codes)
    assert r.report_datetime.isoformat() == "2026-09-12T19:05:00+09:00"
    assert r.observed_at.isoformat() == "2026-09-12T10:05:00+00:00"


def test_vpww55_level_from_significancy_and_name() -> None:
    r = report("mie_vpww55_level4.xml")
    levels = {i["area_code"]: i["level"] for i in r.items}
    assert levels == {"2420500": 4, "2420700": 2}


def test_landslide_split_codes_and_status() -> None:
    r = report("mie_vxww50_landslide.xml")
    items = {i["area_code"]: i for i in r.items}
    assert items["2420112"]["in_force"] and items["2420112"]["level"] == 4
    assert items["2420111"]["kind_code"] == "0" and not items["2420111"]["in_force"]
    assert items["2420412"]["status"] == "解除" and items["2420412"]["level"] is None
    assert r.level == 4


def test_flood_forecast_kinds_stations_and_levels() -> None:
    r = report("mie_vxko_kumozu.xml")
    forecast = next(i for i in r.items if i["type"] == "flood_forecast")
    assert forecast["kind_code"] == "40" and forecast["level"] == 4
    assert forecast["areas"] == [{"name": "雲出川", "code": "8606000001"}]
    station = next(i for i in r.items if i["type"] == "flood_station")
    assert station["stations"][0]["code"] == "86060000010000001"
    area = next(i for i in r.items if i["type"] == "inundation_area")
    assert area["city_code"] == "2420100" and area["sub_cities"] == ["香良洲町", "雲出本郷町"]
    levels = next(i for i in r.items if i["type"] == "water_level")["series"]
    assert levels[0] == {"time": "2026-09-12T20:10:00+09:00", "level_m": 5.42, "condition": "上昇", "level": 4}


def test_heavy_rain_amounts_from_headline() -> None:
    r = report("mie_vpoa50_heavy_rain.xml")
    item = r.items[0]
    assert item["area_code"] == "240010"
    assert item["amounts"] == [{"place": "四日市市", "amount_mm": 120}, {"place": "東員町", "amount_mm": 100}]


def test_earthquake_hypocenter_and_intensities() -> None:
    r = report("mie_vxse53_earthquake.xml")
    quake = r.items[0]
    assert quake["type"] == "earthquake"
    assert (quake["lat"], quake["lng"], quake["depth_km"]) == (34.6, 136.4, 40.0)
    assert quake["magnitude"] == 4.8 and quake["magnitude_type"] == "Mj" and quake["max_int"] == "4"
    assert quake["comment_codes"] == ["0215"]
    cities = {i["code"]: i for i in r.items if i["type"] == "intensity" and i["scope"] == "city"}
    assert cities["2420100"]["max_int"] == "4" and cities["2420500"]["area_code"] == "460"
    assert "2420100" in r.area_codes and "461" in r.area_codes


def test_tsunami_areas_heights_and_unknown_magnitude() -> None:
    r = report("mie_vtse41_tsunami.xml")
    areas = {i["area_code"]: i for i in r.items if i["type"] == "tsunami"}
    assert areas["400"]["category"] == "津波警報" and areas["400"]["max_height_m"] == 3.0
    assert areas["400"]["first_arrival"] == "2026-09-13T09:30:00+09:00"
    assert areas["391"]["category"] == "津波注意報" and areas["391"]["first_arrival_condition"] == "津波到達中と推測"
    quake = next(i for i in r.items if i["type"] == "earthquake")
    assert quake["magnitude"] is None and quake["depth_km"] is None and quake["lat"] == 33.6


def test_unknown_kind_becomes_other_with_headline_items() -> None:
    r = report("other_vpfj50.xml")
    assert r.report_type == "other"
    assert r.items[0]["type"] == "headline" and r.items[0]["areas"] == [{"name": "三重県", "code": "240000"}]


@pytest.mark.parametrize("name", ["hostile_billion_laughs.xml", "hostile_xxe.xml"])
def test_entity_attacks_are_rejected(name: str) -> None:
    with pytest.raises(SourceDataError, match="DTD"):
        report(name)


def test_shift_jis_declared_and_undeclared() -> None:
    text = load("mie_vpww54_warnings.xml").decode("utf-8")
    declared = text.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode("cp932")
    undeclared = text.replace(' encoding="UTF-8"', "").encode("cp932")
    for data in (declared, undeclared):
        r = parse_report(data, source="jma", source_id="sjis")
        assert r.title == "三重県気象警報・注意報" and len(r.items) == 10


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<Report><Control>", "malformed"),
        (b"<feed/>", "not a JMA report"),
        (b'<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control/></Report>', "without Control or Head"),
    ],
)
def test_broken_telegrams_raise_data_errors_with_raw(data: bytes, message: str) -> None:
    with pytest.raises(SourceDataError, match=message) as info:
        parse_report(data, source="jma", source_id="bad")
    assert info.value.raw == data


def test_truncated_telegram_is_a_data_error() -> None:
    data = load("mie_vxse53_earthquake.xml")
    with pytest.raises(SourceDataError):
        parse_report(data[: len(data) // 2], source="jma", source_id="cut")


def test_bad_report_datetime_is_named() -> None:
    data = load("mie_vpoa50_heavy_rain.xml").replace(b"2026-09-12T19:50:00+09:00", b"yesterday")
    with pytest.raises(SourceDataError, match="ReportDateTime"):
        parse_report(data, source="jma", source_id="t")


def test_parse_file_result_contract(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Report>")
    good = str(FIXTURES / "mie_vxww50_landslide.xml")
    ok, failed, missing = (parse_file_result(p) for p in (good, str(bad), str(tmp_path / "nope.xml")))
    assert ok["file"] == good and ok["ok"] is True
    assert ok["report_datetime"] == "2026-09-12T19:30:00+09:00"
    assert (ok["title"], ok["info_kind"], ok["status"]) == ("三重県土砂災害警戒情報", "土砂災害警戒情報", "通常")
    assert len(ok["records"]) == 4 and ok["records"][0]["area_code"] == "2420112"
    assert failed["ok"] is False and "SourceDataError" in failed["error"]
    assert missing["ok"] is False and "FileNotFoundError" in missing["error"]


def test_bench_parse_counts_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is parsed ``repeat`` times, refused ones included, and the rate is files over seconds."""
    parsed: list[str] = []
    real_parse = jma_xml.parse_report

    def counting_parse(blob: bytes, **kw: str):  # type: ignore[no-untyped-def]
        parsed.append(kw["source_id"])
        return real_parse(blob, **kw)

    ticks = iter([10.0, 12.5])  # start, end: 2.5 s on a fake clock
    monkeypatch.setattr(bench_parse_module, "parse_report", counting_parse)
    monkeypatch.setattr(bench_parse_module, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    rate = bench_parse([FIXTURES / "mie_vpww54_warnings.xml", FIXTURES / "hostile_xxe.xml"], repeat=2)
    assert parsed == ["0", "1", "0", "1"]  # the hostile file is refused, and still counted
    assert rate == pytest.approx(4 / 2.5)
    assert bench_parse([], repeat=3) == 0.0 and bench_parse([FIXTURES / "hostile_xxe.xml"], repeat=0) == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("+35.1+137.3-40000/", (35.1, 137.3, 40.0)), ("-17.2+178.6-570000/", (-17.2, 178.6, 570.0)),
     ("+33.6+136.5/", (33.6, 136.5, None)), ("", (None, None, None))],
)
def test_coordinates(text: str, expected: tuple) -> None:
    assert parse_coordinate(text) == expected


@pytest.mark.parametrize(
    ("code", "name", "category"),
    [("53", "大津波警報：発表", "大津波警報"), ("62", "津波注意報", "津波注意報"), ("72", "", "津波予報"),
     (None, "津波注意報解除", "解除"), ("99", "謎", "other")],
)
def test_tsunami_categories(code: str | None, name: str, category: str) -> None:
    assert tsunami_category(code, name) == category
