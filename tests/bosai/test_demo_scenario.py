"""The shipped demo scenario: loads, is large and well-formed enough, and tells a coherent story."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from bosai.demo.scenario_build.__main__ import build
from bosai.demo.scenario_build.gauges import THRESHOLD_KEYS
from bosai.demo.scenario_build.jma_day import make_state
from bosai.demo.scenario_build.warnings import aggregate
from bosai.demo.scenario_loader import SCENARIO_DIR, ScenarioError, load_scenario
from kernel import reference

JMX = "http://xml.kishou.go.jp/jmaxml1/"
IB = "http://xml.kishou.go.jp/jmaxml1/informationBasis1/"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


def test_counts(scenario):
    assert len(scenario.posts) >= 400
    assert len(scenario.telegrams) >= 15
    assert 6 <= len(scenario.gauges) <= 8
    assert 4 <= len(scenario.cameras) <= 6
    kinds = Counter(t.data_type for t in scenario.telegrams)
    assert {"VPWW54", "VXWW50", "VPOA50", "VXSE53"} <= set(kinds)
    assert any(k.startswith("VXKO") for k in kinds)


def test_times_in_order_and_inside_the_day(scenario):
    for stream in (scenario.telegrams, scenario.posts):
        times = [e.at for e in stream]
        assert times == sorted(times)
        assert scenario.start <= times[0] and times[-1] <= scenario.end
    assert scenario.start <= scenario.default_replay_start < scenario.end


def test_every_telegram_is_a_jma_report(scenario):
    for t in scenario.telegrams:
        root = etree.fromstring(t.xml)
        assert root.tag == f"{{{JMX}}}Report", t.file
        assert root.findtext(f"{{{JMX}}}Control/{{{JMX}}}Status") == "通常"
        stamp = root.findtext(f"{{{IB}}}Head/{{{IB}}}ReportDateTime")
        assert stamp == t.at.isoformat(timespec="seconds"), t.file


def test_telegrams_parse_with_the_project_parser(scenario):
    jma_xml = pytest.importorskip("collectors.jma_xml")
    types = Counter()
    for t in scenario.telegrams:
        report = jma_xml.parse_report(t.xml, source="demo", source_id=t.file)
        assert report.items, t.file
        types[report.report_type] += 1
    assert {"warning", "landslide", "flood_forecast", "heavy_rain", "earthquake"} <= set(types)


def _kinds(xml: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(xml)
    kinds = [k for k in root.iter("{*}Kind") if k.find("{*}Status") is not None]  # Body kinds only
    return [(k.findtext("{*}Code"), k.findtext("{*}Status")) for k in kinds]


def test_warning_story_escalates_to_special_warning_and_ends(scenario):
    warnings = [t.xml for t in scenario.telegrams if t.data_type == "VPWW54"]
    first, last = _kinds(warnings[0]), _kinds(warnings[-1])
    assert ("10", "発表") in first and not any(code == "03" for code, _ in first)  # 大雨注意報 first
    assert any(("33", "発表") in _kinds(xml) for xml in warnings)  # 大雨特別警報 at some point
    assert any(status == "特別警報から警報" for xml in warnings for _, status in _kinds(xml))
    warning_codes = {"03", "04", "05", "07", "08", "33"}
    assert all(status == "解除" for code, status in last if code in warning_codes)  # all warnings end


def test_aggregate_takes_the_highest_kind_per_phenomenon():
    state = make_state([({"240000"}, {"10": ""}), ({"2420100"}, {"33": "土砂災害、浸水害"})])
    assert state["2420100"] == {"33": "土砂災害、浸水害"}
    assert aggregate(state, ["2420100", "2420200"]) == {"33": "土砂災害、浸水害"}
    assert aggregate(state, ["2420200"]) == {"10": ""}


def test_gauges_cross_thresholds_up_and_down(scenario):
    crossed_danger = 0
    for g in scenario.gauges:
        th = [g.thresholds_m[k] for k in THRESHOLD_KEYS]
        assert th == sorted(th)
        levels = g.levels_m
        assert levels[0] < th[0] and levels[-1] < th[1], g.name  # quiet at dawn, receded by midnight
        assert max(levels) >= th[0], g.name
        crossed_danger += max(levels) >= th[3]
    assert crossed_danger >= 1


def test_gauge_items_are_mlit_shaped(scenario):
    at = scenario.default_replay_start
    items = scenario.gauge_items(at)
    assert {i["code"] for i in items} == {g.code for g in scenario.gauges}
    for item in items:
        assert item["obsTime"].endswith("+09:00") and item["prefCode"] == "24000"
        assert {"level", "latitude", "longitude", "name"} <= set(item)
    block = scenario.river_gauge_block("http://127.0.0.1:1/river/readings.json")
    assert [g["id"] for g in block["gauges"]] == [i["code"] for i in items]
    assert set(block["gauges"][0]["thresholds_m"]) == set(THRESHOLD_KEYS)


def test_posts_are_well_formed_and_mixed(scenario):
    channels = Counter(p.channel for p in scenario.posts)
    assert set(channels) == {"x", "mastodon", "webhook"}
    labels = Counter(p.expect_label for p in scenario.posts)
    assert labels["disaster"] >= 200 and labels["other"] >= 100
    assert len({p.id for p in scenario.posts}) == len(scenario.posts)
    assert sum(p.geo is not None for p in scenario.posts) >= 30
    assert any("<script>" in p.text for p in scenario.posts)
    assert {"en", "pt"} <= {p.lang for p in scenario.posts}
    reposts = [p for p in scenario.posts if p.repost_of]
    assert reposts and all(any(q.id == p.repost_of for q in scenario.posts) for p in reposts)
    for p in scenario.posts:
        if p.geo:
            assert 33.7 < p.geo[0] < 35.3 and 135.8 < p.geo[1] < 137.0, p.id  # inside Mie


def test_events_are_dense_in_the_first_replay_minute(scenario):
    window_end = scenario.default_replay_start.replace(hour=scenario.default_replay_start.hour + 2)
    early_posts = [p for p in scenario.posts if scenario.default_replay_start <= p.at < window_end]
    assert sum(p.expect_label == "disaster" for p in early_posts) >= 20
    assert any(t.data_type == "VPWW54" and t.at < window_end for t in scenario.telegrams)
    first = scenario.gauge_items(scenario.default_replay_start)
    later = scenario.gauge_items(window_end)
    caution = {g.code: g.thresholds_m["caution"] for g in scenario.gauges}
    rose = [a["code"] for a, b in zip(first, later, strict=True) if b["level"] >= caution[a["code"]] > a["level"]]
    assert rose  # at least one gauge crosses 氾濫注意水位 within 120 x 60 s


@pytest.mark.slow
def test_generator_is_deterministic_and_matches_the_shipped_files(tmp_path: Path):
    if not reference.current().path("towns.csv").exists():
        pytest.skip("shared Mie gazetteer data not available")
    build(tmp_path, seed=20260920)
    for name in ("timeline.json", "gauges.json", "posts.jsonl", "cameras.json"):
        assert (tmp_path / name).read_bytes() == (SCENARIO_DIR / name).read_bytes(), name
    for xml in (SCENARIO_DIR / "telegrams").glob("*.xml"):
        assert (tmp_path / "telegrams" / xml.name).read_bytes() == xml.read_bytes(), xml.name


def test_bad_scenario_gives_a_clear_error(tmp_path: Path):
    shutil.copytree(SCENARIO_DIR, tmp_path / "s")
    posts = tmp_path / "s" / "posts.jsonl"
    lines = posts.read_text(encoding="utf-8").splitlines()
    lines[3] = json.dumps({**json.loads(lines[3]), "channel": "fax"})
    posts.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ScenarioError, match="line 4"):
        load_scenario(tmp_path / "s")
    (tmp_path / "s" / "telegrams" / "01_0540_VPWW54.xml").write_bytes(b"<Report><broken")
    posts.write_text("\n".join(lines[:3]), encoding="utf-8")
    with pytest.raises(ScenarioError, match="not well-formed"):
        load_scenario(tmp_path / "s")
