"""Alerts relayed from JMA telegrams and river gauges: codes, scope, lifecycle (Update/Cancel/expiry), idempotency."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bosai.web.queries import active_alerts
from kernel.records import OfficialReport
from kernel.store.models import AlertRow
from kernel.store.snapshots import alert_record
from publish.alerts import alert_from_gauge, alerts_from_report

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jma" / "samples"
T0 = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)
MIE = ["240000"]
CITY = "気象警報・注意報（市町村等）"
# Codes of the kinds these tests name (H27 system unless the name carries its level).
CODES = {"大雨警報": "03", "洪水警報": "04", "暴風警報": "05", "大雨注意報": "10", "雷注意報": "14",
         "強風注意報": "15", "大雨特別警報": "33", "レベル２大雨注意報": "10", "レベル３大雨警報": "03",
         "レベル４大雨危険警報": "43", "レベル２土砂災害注意報": "29", "レベル３土砂災害警報": "09",
         "レベル４土砂災害危険警報": "49"}


def _warning(area_code: str, area_name: str, kind: str | None, status: str, *, last: str | None = None,
             scope: str = CITY, code: str | None = None) -> dict:
    """A warning item as collectors.jma_meteo.parse_warnings gives it (hand-made fixture)."""
    return {"type": "warning", "scope": scope, "area_code": area_code, "area_name": area_name,
            "kind_code": code or CODES.get(kind or ""), "kind_name": kind, "status": status,
            "last_kind_name": last, "last_kind_code": CODES.get(last or "")}


def mie_report(items: list[dict], *, n: int, minutes: float = 0, status: str = "通常", info_type: str = "発表",
               title: str = "三重県気象警報・注意報", event_id: str = "",
               headline: str = "三重県では、土砂災害や低い土地の浸水に警戒してください。") -> OfficialReport:
    """A warning telegram for Mie shaped like collectors.jma_xml output (hand-made fixture)."""
    at = T0 + timedelta(minutes=minutes)
    return OfficialReport(source="jma", source_id=f"mie-{n}", observed_at=at, title=title,
                          info_kind="気象警報・注意報", info_type=info_type, status=status, report_datetime=at,
                          headline=headline, report_type="warning", items=tuple(items), event_id=event_id,
                          area_codes=tuple(sorted({i["area_code"] for i in items})))


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(AlertRow))


def _in_force(session, minutes: float = 0) -> list[tuple[str, int | None, list[str]]]:
    return [(a.event, a.level, sorted(x["code"] for x in a.areas))
            for a in active_alerts(session, T0 + timedelta(minutes=minutes))]


def test_warning_relayed_per_kind_with_its_areas_including_continued(session, store_report) -> None:
    report = store_report(mie_report([
        _warning("2420200", "四日市市", "大雨警報", "発表"),
        _warning("2420700", "鈴鹿市", "大雨警報", "発表"),
        _warning("2420100", "津市", "大雨警報", "継続"),
        _warning("2420200", "四日市市", "雷注意報", "発表"),
        _warning("240012", "北部", "大雨警報", "発表", scope="気象警報・注意報（市町村等をまとめた地域等）"),
        _warning("2320100", "名古屋市", "大雨警報", "発表"),
    ], n=1))
    made = alerts_from_report(session, report, areas=MIE)
    assert len(made) == 1  # 雷注意報 stays on the operators' map
    alert = made[0]
    assert (alert.source, alert.event, alert.level, alert.msg_type, alert.status) == (
        "jma", "大雨警報", 3, "Alert", "Actual")
    assert [a["code"] for a in alert.areas] == ["2420200", "2420700", "2420100"]
    assert alert.slots["event_key"] == "heavy_rain_warning" and alert.slots["kind_code"] == "03"
    assert alert.expires == T0 + timedelta(hours=24)  # the documented rule: VPWW states no validity
    # Idempotent: the same telegram again adds nothing.
    assert alerts_from_report(session, report, areas=MIE) == []
    assert _count(session) == 1


@pytest.mark.parametrize(("name", "code", "event_key", "level", "hazard"), [
    ("レベル３土砂災害警報", "09", "landslide_warning", 3, "landslide"),
    ("レベル２土砂災害注意報", "29", "landslide_advisory", 2, "landslide"),
    ("レベル４土砂災害危険警報", "49", "landslide_urgent_warning", 4, "landslide"),
    ("レベル３高潮警報", "08", "level3_storm_surge_warning", 3, "storm_surge"),
    ("高潮警報", "08", "storm_surge_warning", 4, "storm_surge"),  # H27: 警戒レベル４相当
    ("レベル４大雨危険警報", "43", "heavy_rain_urgent_warning", 4, "heavy_rain"),
    ("大雨特別警報", "33", "heavy_rain_emergency_warning", 5, "heavy_rain"),
])
def test_kinds_are_graded_by_code_in_their_system(session, store_report, name, code, event_key, level,
                                                  hazard) -> None:
    report = store_report(mie_report([_warning("2421100", "鳥羽市", name, "発表", code=code)], n=hash(name)))
    [alert] = alerts_from_report(session, report, areas=MIE)
    assert (alert.event, alert.slots["event_key"], alert.level, alert.hazard) == (name, event_key, level, hazard)
    assert [a["code"] for a in alert.areas] == ["2421100"]


def test_an_unknown_code_is_relayed_by_its_name_and_logged(session, store_report, caplog) -> None:
    report = store_report(mie_report([_warning("2421100", "鳥羽市", "レベル５土砂災害特別警報", "発表",
                                                code="97")], n=5))
    with caplog.at_level(logging.WARNING, logger="publish.kinds"):
        [alert] = alerts_from_report(session, report, areas=MIE)
    assert (alert.event, alert.level, alert.hazard, alert.severity) == ("レベル５土砂災害特別警報", 5, "landslide",
                                                                        "Extreme")
    assert any("jma_kind_unknown" in r.getMessage() and "code=97" in r.getMessage() for r in caplog.records)


def test_rise_and_fall_replaces_then_cancels(session, store_report) -> None:
    advisory = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨注意報", "発表")], n=10)), areas=MIE)[0]
    assert advisory.msg_type == "Alert" and _in_force(session) == [("大雨注意報", 2, ["2420200"])]
    warning = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨警報", "発表", last="大雨注意報")], n=11, minutes=30)), areas=MIE)[0]
    assert warning.msg_type == "Update" and warning.references == advisory.id
    assert warning.slots["references"] == [{"id": advisory.id, "sent": advisory.sent.isoformat()}]
    assert advisory.ended_at == warning.sent
    assert _in_force(session, 30) == [("大雨警報", 3, ["2420200"])]  # the advisory is no longer listed
    # 継続: the same state restated adds nothing and moves the expiry on.
    assert alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨警報", "継続")], n=12, minutes=90)), areas=MIE) == []
    assert warning.expires == T0 + timedelta(minutes=90, hours=24)
    lifted = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "解除", "解除", last="大雨警報", code="00")], n=13, minutes=120)),
        areas=MIE)
    assert [(a.msg_type, a.references, a.event, a.slots["kind"]) for a in lifted] == [
        ("Cancel", warning.id, "大雨警報", "lifted")]
    assert warning.ended_at is not None and _in_force(session, 120) == []
    assert _count(session) == 3


def test_special_warning_back_to_warning_is_an_update_at_level_3(session, store_report) -> None:
    special = alerts_from_report(session, store_report(mie_report(
        [_warning("2421500", "志摩市", "大雨特別警報", "発表")], n=20)), areas=MIE)[0]
    back = alerts_from_report(session, store_report(mie_report(
        [_warning("2421500", "志摩市", "大雨警報", "特別警報から警報", last="大雨特別警報")], n=21, minutes=60)),
        areas=MIE)
    assert [(a.msg_type, a.level, a.references) for a in back] == [("Update", 3, special.id)]
    assert _in_force(session, 60) == [("大雨警報", 3, ["2421500"])]


def test_nothing_in_force_ends_the_family_and_a_downgrade_to_an_unrelayed_kind_cancels(session,
                                                                                     store_report) -> None:
    alerts_from_report(session, store_report(mie_report([
        _warning("2420200", "四日市市", "大雨警報", "発表"), _warning("2420500", "桑名市", "暴風警報", "発表")],
        n=30)), areas=MIE)
    later = alerts_from_report(session, store_report(mie_report([
        _warning("2420200", "四日市市", None, "発表警報・注意報はなし"),
        _warning("2420500", "桑名市", "強風注意報", "発表", last="暴風警報")], n=31, minutes=60)), areas=MIE)
    assert sorted((a.msg_type, a.event) for a in later) == [("Cancel", "大雨警報"), ("Cancel", "暴風警報")]
    assert _in_force(session, 60) == []


def test_an_r06_telegram_restates_only_its_own_phenomenon(session, store_report) -> None:
    rain = alerts_from_report(session, store_report(mie_report(
        [_warning("2420900", "尾鷲市", "レベル３大雨警報", "発表")], n=40, title="三重県大雨警報・注意報")),
        areas=MIE)[0]
    landslide = alerts_from_report(session, store_report(mie_report(
        [_warning("2420900", "尾鷲市", "レベル４土砂災害危険警報", "発表"),
         _warning("2421200", "熊野市", None, "発表警報・注意報はなし")], n=41, minutes=10,
        title="三重県土砂災害警報・注意報")), areas=MIE)
    assert [a.msg_type for a in landslide] == ["Alert"] and rain.ended_at is None
    assert _in_force(session, 10) == [("レベル４土砂災害危険警報", 4, ["2420900"]),
                                      ("レベル３大雨警報", 3, ["2420900"])]  # highest level first
    cleared = alerts_from_report(session, store_report(mie_report(
        [_warning("2420900", "尾鷲市", None, "発表警報・注意報はなし")], n=42, minutes=20,
        title="三重県土砂災害警報・注意報")), areas=MIE)
    assert [(a.msg_type, a.event) for a in cleared] == [("Cancel", "レベル４土砂災害危険警報")]
    assert _in_force(session, 20) == [("レベル３大雨警報", 3, ["2420900"])]


def test_an_older_telegram_arriving_late_does_not_undo_a_newer_one(session, store_report) -> None:
    alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨警報", "発表")], n=50, minutes=60)), areas=MIE)
    late = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨注意報", "発表")], n=51, minutes=0)), areas=MIE)
    assert late == [] and _in_force(session, 60) == [("大雨警報", 3, ["2420200"])]


def test_a_cancelled_report_withdraws_the_alerts_of_its_event(session, store_report) -> None:
    first = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨警報", "発表")], n=60, event_id="E1")), areas=MIE)[0]
    withdrawn = alerts_from_report(session, store_report(mie_report(
        [], n=61, minutes=5, info_type="取消", event_id="E1")), areas=MIE)
    assert [(a.msg_type, a.references) for a in withdrawn] == [("Cancel", first.id)]
    assert _in_force(session, 5) == []


def test_expiry_comes_from_the_telegram_when_it_states_one(session, store_report) -> None:
    report = mie_report([_warning("2420200", "四日市市", "大雨警報", "発表")], n=70)
    valid = T0 + timedelta(hours=6)
    row = store_report(OfficialReport(**{**{f: getattr(report, f) for f in (
        "source", "source_id", "observed_at", "title", "info_kind", "info_type", "status", "report_datetime",
        "headline", "report_type", "items", "area_codes")}, "valid_until": valid}))
    [alert] = alerts_from_report(session, row, areas=MIE)
    assert alert.expires == valid
    assert _in_force(session, 5 * 60) and _in_force(session, 7 * 60) == []  # expired: no longer listed


@pytest.mark.parametrize(("status", "headline", "expected"), [
    ("訓練", "", "Exercise"), ("試験", "", "Test"), ("通常", "この電文はテストサンプルです。", "Test"),
    ("通常", "大雨に警戒してください。", "Actual"),
])
def test_drills_and_tests_are_never_actual(session, store_report, status, headline, expected) -> None:
    report = store_report(mie_report([_warning("2420200", "四日市市", "洪水警報", "発表")], n=hash(status + headline),
                                     status=status, headline=headline))
    assert alerts_from_report(session, report, areas=MIE)[0].status == expected


def _sample(name: str) -> OfficialReport:
    from collectors.jma_xml import parse_report

    return parse_report((SAMPLES / name).read_bytes(), source="jma", source_id=name)


@pytest.mark.skipif(not SAMPLES.exists(), reason="official samples not available")
def test_official_samples_relay_for_their_own_prefecture_only(session, store_report) -> None:
    nara = store_report(_sample("15_08_01_130412_VPWW53.xml"))
    assert alerts_from_report(session, nara, areas=MIE) == []
    made = alerts_from_report(session, nara, areas=["290000"])
    assert sorted((a.event, a.level, len(a.areas)) for a in made) == [
        ("大雨注意報", 2, 13), ("大雨特別警報", 5, 27), ("洪水注意報", 2, 22), ("洪水警報", 3, 18)]
    drill = store_report(_sample("32-39_12_02_250206_VTSE41.xml"))
    tsunami = alerts_from_report(session, drill, areas=["300", "310"])  # 予報区 codes
    assert tsunami and {a.status for a in tsunami} == {"Exercise"}
    assert {a.hazard for a in tsunami} == {"tsunami"}


def test_gauge_rise_replaces_and_the_fall_below_caution_cancels(session, make_reading) -> None:
    assert alert_from_gauge(session, make_reading(level=1, crossing="up", threshold="水防団待機水位")) is None
    up = alert_from_gauge(session, make_reading(level=2, crossing="up", threshold="氾濫注意水位", minutes=10))
    assert (up.event, up.level, up.msg_type, up.hazard) == ("氾濫注意水位", 2, "Alert", "flood")
    higher = alert_from_gauge(session, make_reading(level=4, crossing="up", threshold="氾濫危険水位", minutes=20))
    assert higher.msg_type == "Update" and higher.references == up.id and higher.level == 4
    assert up.ended_at == higher.sent and _in_force(session, 20) == [
        ("氾濫危険水位", 4, ["24202", "gauge:suzuka-takaoka"])]
    assert alert_from_gauge(session, make_reading(level=4, crossing=None, threshold="氾濫危険水位",
                                                  minutes=30)) is None
    lower = alert_from_gauge(session, make_reading(level=3, crossing="down", threshold="避難判断水位", minutes=35))
    assert (lower.msg_type, lower.level, lower.references) == ("Update", 3, higher.id)
    down_reading = make_reading(level=1, crossing="down", threshold="水防団待機水位", minutes=40)
    down = alert_from_gauge(session, down_reading)
    assert down.slots["kind"] == "gauge_down" and down.slots["all_clear"] is True
    assert (down.msg_type, down.references, down.event) == ("Cancel", lower.id, "氾濫注意水位")
    assert _in_force(session, 40) == []
    assert alert_from_gauge(session, make_reading(level=0, crossing="down", minutes=50)) is None  # already clear
    before = _count(session)
    assert alert_from_gauge(session, down_reading) is None  # idempotent per reading
    assert _count(session) == before == 4


@pytest.mark.skipif(not SAMPLES.exists(), reason="official samples not available")
def test_earthquake_relayed_from_intensity_3_in_the_areas(session, store_report) -> None:
    report = store_report(_sample("32-35_07_01_100915_VXSE51.xml"))
    mie = alerts_from_report(session, report, areas=MIE)  # 三重県北部 felt intensity 3 in this sample
    assert [(a.hazard, a.slots["intensity"], [x["name"] for x in a.areas], a.level) for a in mie] == [
        ("earthquake", "3", ["三重県北部"], None)]
    assert mie[0].expires == mie[0].sent + timedelta(hours=12)
    assert alerts_from_report(session, report, areas=["250000"]) == []  # 滋賀県: nothing in the sample


def _flood(n: int, name: str, code: str, minutes: float) -> OfficialReport:
    at = T0 + timedelta(minutes=minutes)
    river = {"code": "8606040001", "name": "雲出川"}
    items = ({"type": "flood_forecast", "scope": "指定河川洪水予報（河川）", "kind_code": code, "kind_name": name,
              "areas": [river]},
             {"type": "flood_forecast", "scope": "指定河川洪水予報（府県予報区等）", "kind_code": code,
              "kind_name": name, "areas": [{"code": "240000", "name": "三重県"}]})
    return OfficialReport(source="jma", source_id=f"f{n}", observed_at=at, title=f"雲出川{name}",
                          info_kind="指定河川洪水予報", info_type="発表", status="通常", report_datetime=at,
                          report_type="flood_forecast", items=items, area_codes=("8606040001", "240000"))


def test_a_river_forecast_replaces_the_lower_one_for_the_same_river(session, store_report) -> None:
    caution = alerts_from_report(session, store_report(_flood(80, "氾濫注意情報", "20", 0)), areas=MIE)[0]
    alert = alerts_from_report(session, store_report(_flood(81, "氾濫警戒情報", "30", 30)), areas=MIE)[0]
    assert (alert.msg_type, alert.references, alert.level) == ("Update", caution.id, 3)
    assert [e for e, _, _ in _in_force(session, 30)] == ["氾濫警戒情報"]  # not both
    danger = alerts_from_report(session, store_report(_flood(82, "レベル４氾濫危険警報", "40", 60)), areas=MIE)[0]
    assert (danger.level, danger.slots["event_key"], danger.references) == (4, "river_flood_urgent_warning",
                                                                            alert.id)


@pytest.mark.skipif(not SAMPLES.exists(), reason="official samples not available")
def test_flood_forecast_names_its_rivers(session, store_report) -> None:
    from lxml import etree

    from publish.cap import render_cap

    report = store_report(_sample("16_01_01_220728_VXKOii.xml"))
    assert alerts_from_report(session, report, areas=MIE) == []
    made = alerts_from_report(session, report, areas=["990000"])  # the sample's placeholder prefecture
    assert [(a.event, a.level, a.hazard) for a in made] == [("氾濫注意情報", 2, "flood")]
    names = [a["name"] for a in made[0].areas]
    assert names[:2] == ["○○川", "△△川"] and names[-1] == "○○県"
    doc = etree.fromstring(render_cap(alert_record(made[0]), sender="s", base_url="http://x"))
    values = doc.xpath("//c:geocode/c:valueName/text()", namespaces={"c": "urn:oasis:names:tc:emergency:cap:1.2"})
    assert "JMA-RIVER" in values


def test_an_area_left_with_nothing_gets_a_cancel_even_when_its_alert_was_replaced_elsewhere(session,
                                                                                         store_report) -> None:
    both = alerts_from_report(session, store_report(mie_report([
        _warning("2420200", "四日市市", "大雨注意報", "発表"), _warning("2420700", "鈴鹿市", "大雨注意報", "発表")],
        n=90)), areas=MIE)[0]
    later = alerts_from_report(session, store_report(mie_report([
        _warning("2420200", "四日市市", "大雨警報", "発表", last="大雨注意報"),
        _warning("2420700", "鈴鹿市", "解除", "解除", last="大雨注意報", code="00")], n=91, minutes=30)), areas=MIE)
    assert sorted((a.msg_type, a.event, [x["code"] for x in a.areas], a.references) for a in later) == [
        ("Cancel", "大雨注意報", ["2420700"], both.id), ("Update", "大雨警報", ["2420200"], both.id)]
    assert _in_force(session, 30) == [("大雨警報", 3, ["2420200"])]


def test_each_record_heavy_rain_telegram_is_news(session, store_report) -> None:
    def rain(n: int, minutes: float) -> OfficialReport:
        at = T0 + timedelta(minutes=minutes)
        item = {"type": "heavy_rain", "area_code": "240010", "area_name": "三重県北中部", "status": "発表",
                "amounts": [{"place": "鈴鹿市付近", "amount_mm": 110}]}
        return OfficialReport(source="jma", source_id=f"r{n}", observed_at=at, title="三重県記録的短時間大雨情報",
                              info_kind="記録的短時間大雨情報", info_type="発表", status="通常", report_datetime=at,
                              report_type="heavy_rain", items=(item,), area_codes=("240010",))
    first = alerts_from_report(session, store_report(rain(100, 0)), areas=MIE)
    second = alerts_from_report(session, store_report(rain(101, 20)), areas=MIE)
    assert [a.msg_type for a in first + second] == ["Alert", "Alert"] and first[0].ended_at is None
    assert first[0].expires == T0 + timedelta(hours=1)
    assert len(_in_force(session, 30)) == 2 and _in_force(session, 90) == []


def test_nankai_information_is_shown_for_the_prefecture_and_the_next_one_replaces_it(session,
                                                                                    store_report) -> None:
    from collectors.jma_xml import parse_report

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "jma" / "mie_vyse50_nankai.xml"
    report = parse_report(fixture.read_bytes(), source="jma", source_id="nankai-1")
    [first] = alerts_from_report(session, store_report(report), areas=MIE)
    assert (first.slots["kind"], first.level, first.hazard, [a["code"] for a in first.areas]) == (
        "info", None, "earthquake", ["240000"])
    assert first.slots["info_text"].startswith("南海トラフ地震の想定震源域では")
    assert first.expires == first.sent + timedelta(days=7)
    later = OfficialReport(**{**{f: getattr(report, f) for f in (
        "source", "observed_at", "info_kind", "info_type", "status", "headline", "report_type", "items",
        "area_codes", "event_id")}, "source_id": "nankai-2", "title": "南海トラフ地震臨時情報（調査終了）",
        "report_datetime": report.report_datetime + timedelta(days=2)})
    [second] = alerts_from_report(session, store_report(later), areas=MIE)
    assert (second.msg_type, second.references, first.ended_at) == ("Update", first.id, second.sent)


def test_the_sample_records_are_the_alerts_the_service_makes(alert_set, sample_alerts) -> None:
    """The renderer tests build their alerts directly; they must stay what publish.alerts and triage make."""
    made = [alert_record(a) for a in alert_set]
    assert made[:5] == sample_alerts[:5]
    incident, sample = made[5], sample_alerts[5]  # dated by the clock at confirmation: only the times differ
    assert replace(incident, sent=sample.sent, expires=sample.expires,
                   slots={**incident.slots, "time": sample.slots["time"]}) == sample
    assert incident.expires - incident.sent == sample.expires - sample.sent
