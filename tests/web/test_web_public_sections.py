"""The public site's sections (issue 18 §2, §6): each section's JSON API, and what the page shows from it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from web_factories import NOW, add_alert, add_camera, add_warning_report, make_ctx, raw, warning_item

from bosai.web.app import create_app
from bosai.web.public import pick_language
from kernel.store.models import EvacuationRow, GaugeReadingRow, OfficialReportRow
from publish.catalog import LANGUAGES, message

THRESHOLDS = {"standby": 2.0, "caution": 3.0, "evacuation_judgement": 3.5, "danger": 4.0}
SOURCES = [{"kind": "river_gauge", "name": "rivers", "gauges": [
    {"id": "rise", "name": "雲出川 大仰", "river": "雲出川", "lat": 34.65, "lng": 136.40, "thresholds_m": THRESHOLDS},
    {"id": "flat", "name": "鈴鹿川 高岡", "river": "鈴鹿川", "lat": 34.87, "lng": 136.58, "thresholds_m": THRESHOLDS}]}]


@pytest.fixture
def public_ctx(web_store, tmp_path):  # type: ignore[no-untyped-def]
    """A context whose river source knows the gauges' four thresholds."""
    (tmp_path / "var").mkdir(exist_ok=True)
    return make_ctx(web_store, tmp_path / "var", extra={"sources": SOURCES})


def _gauge(s: Any, gauge_id: str, name: str, river: str, level_m: float, minutes_ago: int) -> None:
    s.add(GaugeReadingRow(id=raw(s, "gauge"), gauge_id=gauge_id, name=name, river=river, lat=34.6, lng=136.4,
                          observed_at=NOW - timedelta(minutes=minutes_ago), level_m=level_m, warning_level=0))


def _seed(s: Any) -> None:
    add_warning_report(s, [warning_item("2420100", "津市", "大雨警報", 3),
                           warning_item("2420200", "四日市市", "洪水注意報", 2)])
    for step in range(0, 25 * 6):  # 25 hours of 10-minute readings: the window keeps the last 24
        minutes = step * 10
        _gauge(s, "rise", "雲出川 大仰", "雲出川", 1.0 + 0.002 * (25 * 6 - step), minutes)  # a steady rise
        _gauge(s, "flat", "鈴鹿川 高岡", "鈴鹿川", 1.0 + 0.2 * (step % 2), minutes)  # jitter: no trend to follow
    s.add(EvacuationRow(municipality_code="24201", municipality="津市", towns=["安濃町今徳"], level=4, hazard="flood",
                        issued_at=NOW - timedelta(minutes=30), updated_at=NOW - timedelta(minutes=30), lifted_at=None,
                        source="operator", sender="ops", alert_id=None))
    s.add(EvacuationRow(municipality_code="24202", municipality="四日市市", towns=[], level=3,
                        hazard="inland_flooding", issued_at=NOW - timedelta(hours=3),
                        updated_at=NOW - timedelta(hours=2), lifted_at=NOW - timedelta(hours=1),
                        source="operator", sender="ops", alert_id=None))  # lifted: not in force
    fresh = add_camera(s, "cam-fresh", "var/none.jpg")
    old = add_camera(s, "cam-old", "var/none.jpg")
    old.observed_at, old.name = NOW - timedelta(hours=2), "宮川 カメラ"
    fresh.name = "安濃川 カメラ"
    quake = OfficialReportRow(
        id=raw(s, "official"), source="jma_eqvol", source_id="q", title="震源・震度情報", info_kind="地震情報",
        info_type="発表", status="通常", report_type="earthquake", report_datetime=NOW - timedelta(minutes=50),
        headline="", area_codes=[], level=None, items=[
            {"type": "earthquake", "origin_time": (NOW - timedelta(minutes=52)).isoformat(),
             "hypocenter_name": "三重県南部", "magnitude": 5.4, "depth_km": 40.0, "max_int": "5-"},
            {"type": "intensity", "scope": "pref", "pref_code": "24", "name": "三重県", "code": "24", "max_int": "5-"},
            {"type": "intensity", "scope": "area", "pref_code": "24", "name": "三重県南部", "code": "252",
             "max_int": "5-"},
            {"type": "intensity", "scope": "area", "pref_code": "24", "name": "三重県中部", "code": "251",
             "max_int": "3"},
            {"type": "intensity", "scope": "area", "pref_code": "30", "name": "和歌山県南部", "code": "551",
             "max_int": "4"}])
    s.add(quake)
    add_alert(s, "jma-9-tsunami", hazard="tsunami", event="津波注意報", level=None,
              areas=[{"code": "400", "name": "三重県南部"}],
              slots={"kind": "issued", "event_key": "tsunami_advisory", "event_name": "津波注意報",
                     "time": NOW.isoformat(), "source": "jma"})
    add_alert(s, "incident-7", source="incident", hazard="casualty_rescue", event="casualty_rescue", level=None,
              areas=[{"code": "24201", "name": "津市"}],
              slots={"kind": "incident", "hazard": "casualty_rescue", "place": "大門", "time": NOW.isoformat()})
    s.flush()


async def _api(client: Any, section: str, lang: str) -> Any:
    resp = await client.get(f"/api/public/{section}?lang={lang}")
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["section"] == section and body["lang"] == lang and body["updated"] == NOW.isoformat()
    return body["data"]


async def test_warnings_api_and_list_translate_the_warning_names(aiohttp_client, public_ctx):
    await public_ctx.store.write(_seed)
    client = await aiohttp_client(create_app(public_ctx))
    rows = await _api(client, "warnings", "pt")
    assert [(r["area_code"], r["level"]) for r in rows] == [("2420100", 3), ("2420200", 2)]
    assert rows[0]["kinds"][0]["name"] == message("pt", "term.heavy_rain_warning") != "大雨警報"
    assert rows[0]["kinds"][0]["name_ja"] == "大雨警報" and rows[0]["area"] == "Tsu"
    page = await (await client.get("/public/pt")).text()
    listed = page[page.index('data-section="warnings"'):page.index('id="s-evacuations"')]
    assert message("pt", "term.flood_advisory") in unescape(listed) and "大雨警報" not in listed
    assert 'id="map"' in page  # the map of areas (from /api/warnings/areas) beside the list


async def test_evacuations_api_lists_orders_in_force_by_municipality(aiohttp_client, public_ctx):
    await public_ctx.store.write(_seed)
    client = await aiohttp_client(create_app(public_ctx))
    rows = await _api(client, "evacuations", "en")
    assert [r["municipality_code"] for r in rows] == ["24201"]  # the lifted 四日市市 order is gone
    [order] = rows[0]["orders"]
    assert (order["level"], order["name_ja"], order["name"]) == (4, "避難指示",
                                                                 message("en", "term.evacuation_instruction"))
    assert order["hazard_name"] == "Flood" and order["towns"] and "安濃" not in order["towns"][0]
    page = await (await client.get("/public/en")).text()
    section = page[page.index('data-section="evacuations"'):page.index('id="s-shelters"')]
    assert 'data-municipality="24201"' in section and "lv-4" in section


async def test_rivers_api_has_thresholds_24_hours_and_only_a_useful_forecast(aiohttp_client, public_ctx):
    await public_ctx.store.write(_seed)
    client = await aiohttp_client(create_app(public_ctx))
    rows = {r["gauge_id"]: r for r in await _api(client, "rivers", "ja")}
    rise, flat = rows["rise"], rows["flat"]
    assert [t["m"] for t in rise["thresholds"]] == [2.0, 3.0, 3.5, 4.0]
    assert [t["name"] for t in rise["thresholds"]][3] == message("ja", "threshold.danger")
    assert len(rise["series"]) == 24 * 6 + 1 and rise["series"][-1][0] == NOW.isoformat()
    assert rise["forecast"] and rise["forecast"][0]["hours"] == 1
    first = rise["forecast"][0]
    assert first["level_m"] == pytest.approx(1.3 + 0.012, abs=0.005) and first["mae_m"] <= first["persistence_mae_m"]
    assert flat["forecast"] == []  # persistence is as good: the backtest leaves it out
    page = await (await client.get("/public/ja")).text()
    section = page[page.index('data-section="rivers"'):page.index('id="s-cameras"')]
    assert section.count('<svg class="river-chart"') == 2 and section.count('class="threshold"') == 8
    assert section.count('class="forecast-line"') == 1 and "過去の予測誤差" in section


async def test_cameras_api_marks_stale_stills(aiohttp_client, public_ctx):
    await public_ctx.store.write(_seed)
    client = await aiohttp_client(create_app(public_ctx))
    rows = {r["camera_id"]: r for r in await _api(client, "cameras", "vi")}
    assert rows["cam-fresh"]["stale"] is False and rows["cam-old"]["stale"] is True
    assert rows["cam-old"]["thumbnail_url"].startswith("/cameras/cam-old/latest.jpg?v=")
    page = await (await client.get("/public/vi")).text()
    section = page[page.index('data-section="cameras"'):page.index('id="s-quake"')]
    assert section.count("is-stale") == 1 and "Hình ảnh không được cập nhật" in section


async def test_quake_api_gives_intensity_by_mie_area_and_tsunami_in_force(aiohttp_client, public_ctx):
    await public_ctx.store.write(_seed)
    client = await aiohttp_client(create_app(public_ctx))
    data = await _api(client, "quake", "en")
    quake = data["earthquake"]
    assert quake["magnitude"] == 5.4 and quake["max_int_label"] == message("en", "term.intensity_label_5_lower")
    assert [(a["code"], a["max_int"]) for a in quake["areas"]] == [("252", "5-"), ("251", "3")]  # Mie only
    assert [w["alert_id"] for w in data["tsunami"]] == ["jma-9-tsunami"]
    ja = await _api(client, "quake", "ja")
    assert ja["earthquake"]["areas"][0]["name"] == "三重県南部"


async def test_section_api_refuses_unknown_section_and_language(aiohttp_client, public_ctx):
    client = await aiohttp_client(create_app(public_ctx))
    assert (await client.get("/api/public/posts?lang=en")).status == 404
    assert (await client.get("/api/public/rivers?lang=fr")).status == 400
    for section in ("warnings", "evacuations", "rivers", "cameras", "quake"):  # empty store: empty sections
        assert (await client.get(f"/api/public/{section}")).status == 200


@pytest.mark.parametrize(("header", "lang"), [
    ("pt-BR,pt;q=0.9,en;q=0.8", "pt"), ("fr-FR,fr;q=0.9,vi;q=0.5", "vi"), ("zh-TW", "zh-Hans"), ("fil", "tl"),
    ("en;q=0.2, ko;q=0.8", "ko"), ("fr", "ja"), ("", "ja"), ("en;q=0", "ja"), ("*", "ja")])
def test_pick_language_from_accept_language(header: str, lang: str) -> None:
    assert pick_language(header, tuple(LANGUAGES)) == lang


async def test_public_without_language_follows_accept_language(aiohttp_client, public_ctx):
    client = await aiohttp_client(create_app(public_ctx))
    resp = await client.get("/public", headers={"Accept-Language": "pt-BR,pt;q=0.9"})
    assert resp.status == 200 and 'lang="pt"' in await resp.text()
    assert "Accept-Language" in resp.headers["Vary"] and resp.headers["Content-Language"] == "pt"
    plain = await client.get("/public")
    assert 'lang="ja"' in await plain.text()


async def test_page_loads_shelters_on_demand_with_translated_hazards(aiohttp_client, public_ctx):
    client = await aiohttp_client(create_app(public_ctx))
    page = await (await client.get("/public/pt")).text()
    settings = json.loads(unescape(re.search(r'data-settings="([^"]*)"', page).group(1)))  # type: ignore[union-attr]
    assert "shelters" not in settings and settings["lang"] == "pt"
    assert settings["hazards"]["inland_flooding"] == "Alagamento urbano" and 'id="near-me"' in page
    assert len(page.encode()) < 60_000  # no shelter data in the HTML (it was 1.8 MB)


async def test_confirmed_incident_gets_a_hazard_instruction_in_every_language(aiohttp_client, public_ctx):
    await public_ctx.store.write(_seed)
    client = await aiohttp_client(create_app(public_ctx))
    for lang in LANGUAGES:
        page = unescape(await (await client.get(f"/public/{lang}")).text())
        card = page[page.index('data-alert-id="incident-7"'):]
        card = card[:card.index("</article>")]
        assert message(lang, "instruction.incident_casualty_rescue") in card, lang
        assert message(lang, "instruction.default") not in card and "119" in card, lang
        assert message(lang, "level.none") not in card, lang


async def test_last_updated_is_on_the_service_clock(aiohttp_client, public_ctx):
    from publish.messages import format_time

    client = await aiohttp_client(create_app(public_ctx))
    page = await (await client.get("/public/en")).text()
    assert f'datetime="{NOW.isoformat()}">{format_time(NOW, "en")}</time>' in page
