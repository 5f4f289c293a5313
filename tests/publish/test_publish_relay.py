"""The relay plan, table-driven: every official sample, fixture and code of the kind tables; ``bosai relay``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.jma_xml import parse_report
from kernel.records import OfficialReport
from publish.kinds import table
from publish.relay import plan_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "data" / "jma" / "samples"
FIXTURES = ROOT / "tests" / "fixtures" / "jma"
MIE = ["240000"]
T0 = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)

# Official samples relayed for every area (as `bosai relay --all-areas`): per alert, the event, its level,
# whether it is a lift, the number of areas and the first area; read off each sample by hand.
SAMPLE_PLANS = {
    "15_08_01_130412_VPWW53.xml": [("大雨特別警報", 5, False, 27, "奈良市"),
                                   ("洪水注意報", 2, False, 22, "奈良市"),
                                   ("洪水警報", 3, False, 18, "大和高田市"),
                                   ("大雨注意報", 2, False, 13, "大和郡山市")],
    "15_11_01_150916_VPWW54.xml": [("高潮警報", 4, False, 18, "下関市")],
    "15_16_01_241031_VPWW56.xml": [("レベル４土砂災害危険警報", 4, False, 1, "稚内市"),
                                   ("レベル３土砂災害警報", 3, False, 1, "猿払村"),
                                   ("レベル２土砂災害注意報", 2, False, 8, "浜頓別町")],
    "15_16_03_241226_VPWW55.xml": [("レベル４大雨危険警報", 4, False, 1, "稚内市"),
                                   ("レベル３大雨警報", 3, False, 1, "猿払村"),
                                   ("レベル２大雨注意報", 2, False, 8, "浜頓別町")],
    "16_01_01_220728_VXKOii.xml": [("氾濫注意情報", 2, False, 3, "○○川")],
    "17_01_01_190529_VXWW50.xml": [("土砂災害警戒情報", 4, False, 25, "北九州市"),
                                   ("土砂災害警戒情報", None, True, 26, "福岡市")],
    "17_04_01_250630_VXWW50.xml": [("レベル４土砂災害危険警報", 4, False, 3, "小田原市")],
    "18_01_01_100806_VPOA50.xml": [("記録的短時間大雨情報", None, False, 1, "大阪府")],
    "32-35_01_03_100514_VXSE53.xml": [],  # a distant earthquake: no intensity in Japan
    "32-35_06_02_100915_VXSE52.xml": [],  # hypocentre only
    "32-35_07_01_100915_VXSE51.xml": [("地震情報", None, False, 37, "静岡県中部")],
    "32-39_11_03_250206_VTSE51.xml": [("大津波警報", None, False, 3, "岩手県"),
                                      ("津波警報", None, False, 5, "北海道太平洋沿岸中部"),
                                      ("津波注意報", None, False, 15, "北海道太平洋沿岸東部")],
    "32-39_12_02_250206_VTSE41.xml": [("大津波警報", None, False, 29, "茨城県"),
                                      ("津波警報", None, False, 15, "北海道太平洋沿岸東部"),
                                      ("津波注意報", None, False, 22, "北海道日本海沿岸北部")],
}
# The project's Mie fixtures relayed for Mie: (event, level, lifted, area codes).
FIXTURE_PLANS = {
    "mie_vpww54_warnings.xml": [("大雨警報", 3, False, ["2420200"]), ("洪水警報", 3, False, ["2420200"]),
                                ("大雨特別警報", 5, False, ["2432400"])],
    "mie_vpww55_level4.xml": [("レベル４大雨危険警報", 4, False, ["2420500"]),
                              ("レベル２大雨注意報", 2, False, ["2420700"])],
    "mie_vpww56_landslide_r06.xml": [("レベル４土砂災害危険警報", 4, False, ["2420900"]),
                                     ("レベル３土砂災害警報", 3, False, ["2421200"]),
                                     ("レベル２土砂災害注意報", 2, False, ["2454300"]),
                                     ("レベル２土砂災害注意報", None, True, ["2447100"])],
    "mie_vxww50_landslide.xml": [("土砂災害警戒情報", 4, False, ["2420112", "2421400"]),
                                 ("土砂災害警戒情報", None, True, ["2420412"])],
    "mie_vxko_kumozu.xml": [("氾濫危険情報", 4, False, ["8606000001"])],
    "mie_vtse41_tsunami.xml": [("津波警報", None, False, ["400"]), ("津波注意報", None, False, ["391"])],
    "mie_vpoa50_heavy_rain.xml": [("記録的短時間大雨情報", None, False, ["240010"])],
    "mie_vxse53_earthquake.xml": [("地震情報", None, False, ["461", "460"])],
    "mie_vpbs50_linear_rainband.xml": [("顕著な大雨に関する情報", 4, False, ["240010"])],
    "mie_vyse50_nankai.xml": [("南海トラフ地震臨時情報（巨大地震注意）", None, False, ["240000"])],
    "other_vpfj50.xml": [],
}


def _read(path: Path) -> OfficialReport:
    return parse_report(path.read_bytes(), source="jma", source_id=path.name)


def _level(alert) -> int | None:
    return None if alert.lifted else alert.spec.level


@pytest.mark.skipif(not SAMPLES.exists(), reason="official samples not available")
def test_every_official_sample_is_covered_by_this_table() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.xml")) == sorted(SAMPLE_PLANS)


@pytest.mark.skipif(not SAMPLES.exists(), reason="official samples not available")
@pytest.mark.parametrize("name", sorted(SAMPLE_PLANS))
def test_official_sample_relays_each_item_in_force_at_its_level(name: str) -> None:
    plan = plan_report(_read(SAMPLES / name), None)
    got = [(a.event, _level(a), a.lifted, len(a.areas), a.areas[0]["name"]) for a in plan.alerts]
    assert got == SAMPLE_PLANS[name]
    assert all(a.lifted or a.expires is not None for a in plan.alerts)


def test_every_fixture_is_covered_by_this_table() -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.xml") if not p.name.startswith("hostile"))
    assert names == sorted(FIXTURE_PLANS)


@pytest.mark.parametrize("name", sorted(FIXTURE_PLANS))
def test_mie_fixture_relays_for_mie_at_the_level_of_its_code(name: str) -> None:
    plan = plan_report(_read(FIXTURES / name), MIE)
    got = [(a.event, _level(a), a.lifted, [x["code"] for x in a.areas]) for a in plan.alerts]
    assert got == FIXTURE_PLANS[name]


def _telegram(system: str, code: str, name: str) -> OfficialReport:
    """A minimal telegram carrying one item of ``(system, code)`` for 津市 (or its coast/river)."""
    item: dict
    if system in ("h27", "r06"):
        item = {"type": "warning", "scope": "気象警報・注意報（市町村等）", "area_code": "2420100",
                "area_name": "津市", "kind_code": code, "kind_name": name, "status": "発表"}
    elif system == "landslide":
        item = {"type": "landslide", "area_code": "2420111", "area_name": "津市東部", "kind_code": code,
                "kind_name": "警戒", "status": "発表"}
    elif system.startswith("flood"):
        item = {"type": "flood_forecast", "scope": "指定河川洪水予報（河川）", "kind_code": code, "kind_name": name,
                "areas": [{"code": "8606040001", "name": "雲出川"}]}
    elif system == "tsunami":
        item = {"type": "tsunami", "area_code": "391", "area_name": "伊勢・三河湾", "kind_code": code,
                "kind_name": name, "category": name}
    else:
        item = {"type": "heavy_rain", "area_code": "240010", "area_name": "三重県北中部", "status": "発表"}
    codes = (item.get("area_code") or "8606040001", "240000")
    return OfficialReport(source="jma", source_id=f"{system}-{code}", observed_at=T0, title=f"三重県{name}",
                          info_kind="", info_type="発表", status="通常", report_datetime=T0, items=(item,),
                          area_codes=codes)


PER_ITEM = sorted(k for k in table() if k[0] not in ("earthquake", "nankai", "linear_rainband"))


@pytest.mark.parametrize(("system", "code"), PER_ITEM)
def test_every_code_of_the_tables_gives_its_level_for_its_area(system: str, code: str) -> None:
    spec = table()[(system, code)]
    plan = plan_report(_telegram(system, code, spec.name), MIE)
    if not spec.relay:
        assert plan.alerts == () and plan.covered[spec.family]  # known, operators only, still ends what it replaces
        return
    [alert] = plan.alerts
    assert (alert.spec.level, alert.spec.event_key, alert.spec.hazard) == (spec.level, spec.event_key, spec.hazard)
    expected_area = {"h27": "2420100", "r06": "2420100", "landslide": "2420111", "tsunami": "391",
                     "heavy_rain": "240010"}.get(system, "8606040001")
    assert alert.areas[0]["code"] == expected_area
    assert alert.lifted == ("解除" in spec.name)  # a lifting code (氾濫注意情報解除) plans a Cancel


def test_kind_table_rows_are_complete_and_graded_consistently() -> None:
    for (system, code), spec in table().items():
        assert spec.family and spec.hazard and spec.source, (system, code)
        assert spec.severity in ("Extreme", "Severe", "Moderate", "Minor", "Unknown"), (system, code)
        assert spec.urgency in ("Immediate", "Expected", "Future", "Past"), (system, code)
        assert not spec.relay or spec.event_key, (system, code)
        if spec.level is not None and "レベル" in spec.name:
            assert spec.name.startswith(f"レベル{'１２３４５'[spec.level - 1]}"), (system, code)


def test_relay_command_prints_one_json_line_per_alert(capsys) -> None:
    from bosai.cli import main

    files = [str(FIXTURES / "mie_vpww56_landslide_r06.xml"), str(FIXTURES / "mie_vtse41_tsunami.xml")]
    assert main(["relay", *files, "--lang", "en"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["event"], x["kind_code"], x["level"], x["msg_type"]) for x in lines] == [
        ("レベル４土砂災害危険警報", "49", 4, "Alert"), ("レベル３土砂災害警報", "09", 3, "Alert"),
        ("レベル２土砂災害注意報", "29", 2, "Alert"), ("レベル２土砂災害注意報", "29", None, "Cancel"),
        ("津波警報", "51", None, "Alert"), ("津波注意報", "62", None, "Alert")]
    first = lines[0]
    assert set(first) == {"file", "event", "kind_code", "level", "hazard", "msg_type", "references", "expires",
                          "areas", "headline"}
    assert first["areas"] == [{"code": "2420900", "name": "尾鷲市"}] and "Owase" in first["headline"]
    assert first["expires"] == "2026-09-13T21:00:00+09:00"


def test_relay_command_all_areas_and_bad_files(tmp_path, capsys) -> None:
    from bosai.cli import main

    bad = tmp_path / "bad.xml"
    bad.write_text("<Report>", encoding="utf-8")
    sample = FIXTURES / "mie_vpww56_landslide_r06.xml"
    assert main(["relay", str(sample), "--all-areas"]) == 0
    everywhere = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert any(a["code"] == "3020700" for x in everywhere for a in x["areas"])  # 新宮市 (Wakayama) only with it
    assert main(["relay", str(bad)]) == 1
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["file"] == str(bad) and "SourceDataError" in line["error"]


@pytest.mark.parametrize("status", ["発表", "継続", "切替", "特別警報から警報", "いつか増える新しい状態"])
def test_any_status_but_lifted_or_none_keeps_the_kind_in_force(status: str) -> None:
    item = {"type": "warning", "scope": "気象警報・注意報（市町村等）", "area_code": "2421100", "area_name": "鳥羽市",
            "kind_code": "09", "kind_name": "レベル３土砂災害警報", "status": status}
    report = OfficialReport(source="jma", source_id="s", observed_at=T0, title="三重県土砂災害警報・注意報",
                            info_kind="気象警報・注意報", info_type="発表", status="通常", report_datetime=T0,
                            items=(item,), area_codes=("2421100",))
    [alert] = plan_report(report, MIE).alerts
    assert (alert.spec.level, alert.lifted, alert.areas[0]["code"]) == (3, False, "2421100")


@pytest.mark.parametrize("bad", [None, 5, "", [], {}, "解除", "00"])
def test_malformed_stored_items_never_stop_the_relay(bad) -> None:
    """A stored item with a missing or odd field is relayed as far as it can be, never raised on."""
    for name in sorted(FIXTURE_PLANS):
        report = _read(FIXTURES / name)
        for key in sorted({k for item in report.items for k in item}):
            items = tuple({**item, key: bad} if key in item else item for item in report.items)
            plan_report(OfficialReport(**{**{f: getattr(report, f) for f in (
                "source", "source_id", "observed_at", "title", "info_kind", "info_type", "status",
                "report_datetime", "headline", "report_type", "area_codes", "event_id")}, "items": items}), MIE)
