"""The scenario replayer pushes every event, in order, at its compressed time, to the fake sources."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bosai.demo import runtime as demo_runtime
from bosai.demo.post_payloads import mastodon_status, webhook_body, x_payload
from bosai.demo.replay import ScenarioReplayer
from bosai.demo.scenario_loader import load_scenario
from kernel.config import AppConfig

FAST = 1_000_000.0


class Recorder:
    """Stand-in for FakeSources that records every call in order."""

    def __init__(self, fail_on_post: str | None = None) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail_on_post = fail_on_post

    def publish_jma(self, xml: bytes, *, feed: str = "extra", data_type: str = "VPWW54", office: str = "240000",
                    at: datetime | None = None) -> str:
        self.calls.append(("jma", (data_type, feed, office, at, xml)))
        return f"{data_type}.xml"

    def set_gauge_items(self, items: list[dict[str, Any]]) -> None:
        self.calls.append(("gauges", items))

    def set_camera_image(self, camera_id: str, image: bytes, content_type: str = "image/jpeg") -> None:
        self.calls.append(("camera", (camera_id, image)))

    async def push_x_post(self, tweet: dict[str, Any]) -> None:
        if tweet["data"]["text"] == self.fail_on_post:
            raise ConnectionResetError("client gone")
        self.calls.append(("x", tweet))

    async def push_mastodon_status(self, status: dict[str, Any]) -> None:
        self.calls.append(("mastodon", status))


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


async def _replay(scenario, start=None, **kwargs) -> tuple[ScenarioReplayer, Recorder, list[tuple[str, bytes]]]:
    recorder, hooks = kwargs.pop("recorder", Recorder()), []

    async def webhook(source: str, body: bytes) -> None:
        hooks.append((source, body))

    replayer = ScenarioReplayer(recorder, scenario=scenario, speed=FAST, start=start or scenario.start,
                                webhook=webhook, **kwargs)
    await asyncio.wait_for(replayer.run(), timeout=30)
    return replayer, recorder, hooks


async def test_whole_day_is_pushed_in_order(scenario):
    replayer, rec, hooks = await _replay(scenario)
    kinds = [k for k, _ in rec.calls]
    assert kinds.count("jma") == len(scenario.telegrams)
    assert [c[1][3] for c in rec.calls if c[0] == "jma"] == [t.at for t in scenario.telegrams]
    channels = {ch: sum(p.channel == ch for p in scenario.posts) for ch in ("x", "mastodon", "webhook")}
    assert kinds.count("x") == channels["x"] and kinds.count("mastodon") == channels["mastodon"]
    assert len(hooks) == channels["webhook"] and {s for s, _ in hooks} == {"demo_webhook"}
    assert kinds.count("gauges") == len(scenario.gauge_times())
    progress = replayer.progress()
    assert progress["done"] and progress["errors"] == 0 and progress["posts"] == len(scenario.posts)
    assert replayer.clock() == scenario.end
    stamps = [datetime.fromisoformat((c[1]["data"] if c[0] == "x" else c[1])["created_at"].replace("Z", "+00:00"))
              for c in rec.calls if c[0] in ("x", "mastodon")]
    assert stamps == sorted(stamps)


async def test_gauge_tables_follow_the_clock(scenario):
    _, rec, _ = await _replay(scenario)
    tables = [c[1] for c in rec.calls if c[0] == "gauges"]
    obs = [datetime.fromisoformat(t[0]["obsTime"]) for t in tables]
    assert obs == sorted(obs) and obs[1] - obs[0] == timedelta(minutes=10)
    assert len(tables[0]) == len(scenario.gauges)
    peak = max(t[0]["level"] for t in tables)
    assert peak >= scenario.gauges[0].thresholds_m["danger"]


async def test_camera_stills_are_small_jpegs(scenario):
    _, rec, _ = await _replay(scenario, start=scenario.default_replay_start)
    shots = [c[1] for c in rec.calls if c[0] == "camera"]
    ids = {cam.id for cam in scenario.cameras}
    assert ids <= {cid for cid, _ in shots}
    assert all(img[:2] == b"\xff\xd8" and len(img) < 30_000 for _, img in shots)


async def test_late_start_backfills_telegrams_and_skips_old_posts(scenario):
    start = scenario.default_replay_start
    replayer, rec, hooks = await _replay(scenario, start=start)
    jma = [c[1] for c in rec.calls if c[0] == "jma"]
    assert len(jma) == len(scenario.telegrams)  # the feed still carries the earlier telegrams
    before = sum(t.at < start for t in scenario.telegrams)
    assert before >= 1 and [c[0] for c in rec.calls[:before]] == ["jma"] * before
    pushed = sum(k in ("x", "mastodon") for k, _ in rec.calls) + len(hooks)
    assert pushed == sum(p.at >= start for p in scenario.posts)
    assert replayer.progress()["posts_before_start"] == sum(p.at < start for p in scenario.posts)


async def test_a_failing_push_is_counted_and_the_replay_goes_on(scenario):
    victim = next(p for p in scenario.posts if p.channel == "x")
    replayer, rec, _ = await _replay(scenario, recorder=Recorder(fail_on_post=victim.text))
    assert replayer.progress()["errors"] >= 1
    assert sum(k == "x" for k, _ in rec.calls) == sum(p.channel == "x" and p.text != victim.text
                                                      for p in scenario.posts)


async def test_without_webhook_the_webhook_posts_are_skipped(scenario):
    rec = Recorder()
    replayer = ScenarioReplayer(rec, scenario=scenario, speed=FAST, start=scenario.start)
    await asyncio.wait_for(replayer.run(), timeout=30)
    assert replayer.progress()["skipped"] == sum(p.channel == "webhook" for p in scenario.posts)


async def test_replay_is_deterministic(scenario):
    _, a, _ = await _replay(scenario, start=scenario.default_replay_start)
    _, b, _ = await _replay(scenario, start=scenario.default_replay_start)
    assert a.calls == b.calls


async def test_stop_and_clock_at_demo_speed(scenario):
    replayer = ScenarioReplayer(Recorder(), scenario=scenario, speed=120.0)
    assert replayer.clock() == scenario.default_replay_start
    task = asyncio.create_task(replayer.run())
    await asyncio.sleep(0.3)
    now = replayer.clock()
    assert scenario.default_replay_start + timedelta(seconds=20) <= now <= scenario.default_replay_start + timedelta(
        seconds=120)
    replayer.stop()
    await asyncio.wait_for(task, timeout=2)
    assert 0 < replayer.progress()["pushed"] < replayer.progress()["total"]


def test_bad_arguments_are_refused(scenario):
    with pytest.raises(ValueError, match="speed"):
        ScenarioReplayer(Recorder(), scenario=scenario, speed=0)
    with pytest.raises(ValueError, match="outside"):
        ScenarioReplayer(Recorder(), scenario=scenario, start=scenario.end + timedelta(hours=1))


def test_payloads_parse_with_the_project_collectors(scenario):
    x_stream = pytest.importorskip("collectors.x_stream")
    webhook = pytest.importorskip("collectors.webhook")
    hostile = next(p for p in scenario.posts if "<script>" in p.text)
    geo = next(p for p in scenario.posts if p.geo and p.media)
    for post in (hostile, geo):
        parsed = x_stream.parse_tweet(x_payload(post, "http://h/cameras"), "demo_x")
        assert parsed.text == post.text and parsed.author == post.author
        assert parsed.observed_at == post.at
        body = webhook.WebhookPost.model_validate(json.loads(webhook_body(post, "http://h/cameras")))
        assert body.text == post.text
    assert x_stream.parse_tweet(x_payload(geo, "http://h/cameras"), "demo_x").geo == pytest.approx(geo.geo)
    status = mastodon_status(hostile, "http://h/cameras")
    assert "<script>" not in status["content"] and "&lt;script&gt;" in status["content"]


async def test_against_the_real_fake_sources(scenario):
    fake_sources = pytest.importorskip("bosai.demo.fake_sources")
    fs = fake_sources.FakeSources()
    base = await fs.start(host="127.0.0.1", port=0)
    try:
        replayer = ScenarioReplayer(fs, scenario=scenario, speed=FAST, client_wait_s=0,
                                    media_base=f"{base}/cameras")
        await asyncio.wait_for(replayer.run(), timeout=30)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/jma/feed/extra_l.xml") as resp:
                feed = await resp.text()
            async with http.get(f"{base}/river/readings.json") as resp:
                items = (await resp.json())["items"]
            async with http.get(f"{base}/cameras/{scenario.cameras[0].id}.jpg") as resp:
                image = await resp.read()
        assert feed.count("<entry>") == sum(t.feed == "extra" for t in scenario.telegrams)
        assert items[0]["obsTime"] == scenario.gauge_times()[-1].isoformat()
        assert image[:2] == b"\xff\xd8"
    finally:
        await fs.stop()


async def test_every_demo_camera_has_a_still_before_the_replay_starts(sqlite_store, tmp_path, monkeypatch):
    """The collectors start polling while the replay still waits for its stream clients: no camera may 404."""
    monkeypatch.setenv(demo_runtime.WEBHOOK_SECRET_ENV, "s")
    monkeypatch.setenv(demo_runtime.X_TOKEN_ENV, "t")
    config = AppConfig.model_validate({"service": {"data_dir": str(tmp_path)}, "demo": {"port": 0}})
    demo = demo_runtime.DemoRuntime(config, sqlite_store)
    blocks = await demo.start()
    try:
        (cameras,) = [b for b in blocks if b["kind"] == "camera"]
        assert len(cameras["cameras"]) == len(demo.replayer.scenario.cameras) > 0
        async with aiohttp.ClientSession() as http:
            for cam in cameras["cameras"]:  # the URLs the camera collector polls
                async with http.get(cam["url"]) as resp:
                    assert resp.status == 200, cam["id"]
                    assert (await resp.read())[:2] == b"\xff\xd8"
        assert demo.replayer.progress()["camera_rounds"] == 0  # shown, not counted as a replayed round
    finally:
        await demo.stop()
