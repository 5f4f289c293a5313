"""Alerts relayed from JMA telegrams and river gauges: scope, Cancel/Update, exercise status, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bosai.records import OfficialReport
from bosai.store.models import AlertRow
from publish.alerts import alert_from_gauge, alerts_from_report

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jma" / "samples"
T0 = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)
MIE = ["240000"]


def _warning(area_code: str, area_name: str, kind: str, status: str, *, last: str | None = None,
             scope: str = "気象警報・注意報（市町村等）") -> dict:
    return {"type": "warning", "scope": scope, "area_code": area_code, "area_name": area_name,
            "kind_code": "03", "kind_name": kind, "status": status, "last_kind_name": last, "level": 3}


def mie_report(items: list[dict], *, n: int, minutes: float = 0, status: str = "通常",
               headline: str = "三重県では、土砂災害や低い土地の浸水に警戒してください。") -> OfficialReport:
    """A warning telegram for Mie shaped like collectors.jma_xml output (hand-made fixture)."""
    at = T0 + timedelta(minutes=minutes)
    return OfficialReport(source="jma", source_id=f"mie-{n}", observed_at=at, title="三重県気象警報・注意報",
                          info_kind="気象警報・注意報", info_type="発表", status=status, report_datetime=at,
                          headline=headline, report_type="warning", items=tuple(items),
                          area_codes=tuple(sorted({i["area_code"] for i in items})))


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(AlertRow))


def test_new_warning_relayed_once_per_kind_with_its_areas(session, store_report) -> None:
    report = store_report(mie_report([
        _warning("2420200", "四日市市", "大雨警報", "発表"),
        _warning("2420700", "鈴鹿市", "大雨警報", "発表"),
        _warning("2420100", "津市", "大雨警報", "継続"),
        _warning("2420200", "四日市市", "雷注意報", "発表"),
        _warning("240012", "北部", "大雨警報", "発表", scope="気象警報・注意報（市町村等をまとめた地域等）"),
        _warning("2320100", "名古屋市", "大雨警報", "発表"),
    ], n=1))
    made = alerts_from_report(session, report, areas=MIE)
    assert len(made) == 1
    alert = made[0]
    assert (alert.source, alert.event, alert.level, alert.msg_type, alert.status) == (
        "jma", "大雨警報", 3, "Alert", "Actual")
    assert [a["code"] for a in alert.areas] == ["2420200", "2420700"]
    assert alert.slots["event_key"] == "heavy_rain_warning"
    # Idempotent: the same telegram again adds nothing.
    assert alerts_from_report(session, report, areas=MIE) == []
    assert _count(session) == 1


def test_lifting_makes_a_cancel_that_references_the_alert(session, store_report) -> None:
    first = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨警報", "発表")], n=2)), areas=MIE)[0]
    lifted = alerts_from_report(session, store_report(mie_report(
        [_warning("2420200", "四日市市", "大雨注意報", "解除", last="大雨警報")], n=3, minutes=120)), areas=MIE)
    assert len(lifted) == 1
    assert lifted[0].msg_type == "Cancel"
    assert lifted[0].references == first.id
    assert lifted[0].slots["kind"] == "lifted" and lifted[0].slots["references_sent"] == first.sent.isoformat()
    # A lift with nothing announced before is an Update without a reference.
    orphan = alerts_from_report(session, store_report(mie_report(
        [_warning("2420100", "津市", "洪水警報", "解除")], n=4, minutes=130)), areas=MIE)
    assert orphan[0].msg_type == "Update" and orphan[0].references is None


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
    assert [a.event for a in made] == ["大雨特別警報"]  # 継続 and advisories are not re-sent
    assert made[0].level == 5 and made[0].severity == "Extreme"
    assert len(made[0].areas) == 27  # the finest scope (市町村等) only
    drill = store_report(_sample("32-39_12_02_250206_VTSE41.xml"))
    tsunami = alerts_from_report(session, drill, areas=["300", "310"])  # 予報区 codes
    assert tsunami and {a.status for a in tsunami} == {"Exercise"}
    assert {a.hazard for a in tsunami} == {"tsunami"}
    landslide = store_report(_sample("17_01_01_190529_VXWW50.xml"))
    lifted = alerts_from_report(session, landslide, areas=["400000"])
    assert lifted and all(a.slots["kind"] == "lifted" for a in lifted)


def test_gauge_crossings_alert_up_and_all_clear_down(session, make_reading) -> None:
    assert alert_from_gauge(session, make_reading(level=1, crossing="up", threshold="水防団待機水位")) is None
    up = alert_from_gauge(session, make_reading(level=2, crossing="up", threshold="氾濫注意水位", minutes=10))
    assert (up.event, up.level, up.msg_type, up.hazard) == ("氾濫注意水位", 2, "Alert", "flood")
    higher = alert_from_gauge(session, make_reading(level=4, crossing="up", threshold="氾濫危険水位", minutes=20))
    assert higher.msg_type == "Update" and higher.references == up.id and higher.level == 4
    assert alert_from_gauge(session, make_reading(level=4, crossing=None, threshold="氾濫危険水位",
                                                  minutes=30)) is None
    down_reading = make_reading(level=1, crossing="down", threshold="水防団待機水位", minutes=40)
    down = alert_from_gauge(session, down_reading)
    assert down.slots["kind"] == "gauge_down" and down.slots["all_clear"] is True
    assert down.references == higher.id and down.event == "氾濫注意水位"
    again = make_reading(level=0, crossing="down", minutes=50)
    assert alert_from_gauge(session, again) is None  # all-clear already sent
    before = _count(session)
    assert alert_from_gauge(session, down_reading) is None  # idempotent per reading
    assert _count(session) == before == 3


@pytest.mark.skipif(not SAMPLES.exists(), reason="official samples not available")
def test_earthquake_relayed_from_intensity_3_in_the_areas(session, store_report) -> None:
    report = store_report(_sample("32-35_07_01_100915_VXSE51.xml"))
    mie = alerts_from_report(session, report, areas=MIE)  # 三重県北部 felt intensity 3 in this sample
    assert [(a.hazard, a.slots["intensity"], [x["name"] for x in a.areas]) for a in mie] == [
        ("earthquake", "3", ["三重県北部"])]
    assert alerts_from_report(session, report, areas=["250000"]) == []  # 滋賀県: nothing in the sample


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
    doc = etree.fromstring(render_cap(made[0], sender="s", base_url="http://x"))
    values = doc.xpath("//c:geocode/c:valueName/text()", namespaces={"c": "urn:oasis:names:tc:emergency:cap:1.2"})
    assert "JMA-RIVER" in values
