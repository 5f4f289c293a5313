"""The demo starts from a clean state of its own every time (a rerun is not all duplicates), never touches the
configured store, and runs on one clock: the replayed day's, also in the store's writer thread."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bosai.demo.replay import ScenarioReplayer
from bosai.demo.runtime import DEMO_DB, demo_config, reset_demo_state
from bosai.service import Service
from kernel import clock
from kernel.config import AppConfig
from kernel.errors import ConfigError
from kernel.records import Post
from kernel.store import Store
from kernel.store.repo import save_raw

SCENARIO_T = datetime(2026, 9, 20, 9, 30, tzinfo=UTC)


def _config(tmp_path: Path, **store: str) -> AppConfig:
    return AppConfig.model_validate({
        "service": {"data_dir": str(tmp_path / "var")},
        "store": {"url": f"sqlite:///{tmp_path}/var/bosai.db", **store},
    })  # demo.data_dir unset: <service.data_dir>/demo


def _save_post(store: Store, source_id: str) -> int | None:
    post = Post(source="demo_x", source_id=source_id, observed_at=SCENARIO_T, author="a", text="冠水")
    with store.session() as s:
        item = save_raw(s, post, b"{}", SCENARIO_T)
        s.commit()
        return item


def test_the_demo_runs_on_its_own_store_and_folder(tmp_path) -> None:
    config = _config(tmp_path)
    demo = demo_config(config)
    assert demo.store.url == f"sqlite:///{tmp_path}/var/demo/{DEMO_DB}"
    assert demo.service.data_dir == tmp_path / "var" / "demo"  # camera stills too
    assert config.store.url == f"sqlite:///{tmp_path}/var/bosai.db"  # the deployment's config is unchanged
    service = Service(config, demo=True)
    try:
        assert service.store.url == demo.store.url and service.config.store.url == demo.store.url
    finally:
        service.store.close()
    real = Service(config)
    try:
        assert real.store.url == config.store.url  # without --demo nothing changes
    finally:
        real.store.close()


def test_a_rerun_replays_into_a_clean_store_and_the_real_one_is_untouched(tmp_path) -> None:
    config = _config(tmp_path)
    (tmp_path / "var").mkdir()
    real_db = tmp_path / "var" / "bosai.db"
    real = Store(config.store.url)
    real.upgrade()
    assert _save_post(real, "real-1") is not None
    real.close()
    before = real_db.read_bytes()

    demo = demo_config(config)
    for run in range(2):  # the second run must not find the first run's items (all duplicates)
        reset_demo_state(demo)
        store = Store(demo.store.url)
        store.upgrade()
        try:
            assert _save_post(store, "scenario-post-1") is not None, f"run {run}: a duplicate of the last run"
            (Path(demo.service.data_dir) / "cameras" / "cam1").mkdir(parents=True, exist_ok=True)
        finally:
            store.close()
    reset_demo_state(demo)
    assert not (tmp_path / "var" / "demo" / DEMO_DB).exists()
    assert not (tmp_path / "var" / "demo" / "cameras").exists()
    assert real_db.read_bytes() == before  # the deployment's store: never opened, never reset


def test_nothing_but_the_demo_store_is_ever_reset(tmp_path) -> None:
    config = _config(tmp_path)
    (tmp_path / "var").mkdir()
    real_db = tmp_path / "var" / "bosai.db"
    real_db.write_bytes(b"the deployment's data")
    with pytest.raises(ConfigError, match="refusing"):
        reset_demo_state(config)  # a deployment's config, not the demo's
    assert real_db.read_bytes() == b"the deployment's data"
    clash = _config(tmp_path, url=f"sqlite:///{tmp_path}/var/demo/{DEMO_DB}")
    with pytest.raises(ConfigError, match="folder of its own"):
        demo_config(clash)  # the demo folder configured onto the deployment's store


async def test_the_scenario_clock_reads_the_same_in_the_writer_thread() -> None:
    from bosai.demo.scenario_loader import load_scenario

    class Quiet:
        def publish_jma(self, *_a, **_k) -> str:
            return ""

        def set_gauge_items(self, _items) -> None: ...
        def set_camera_image(self, *_a, **_k) -> None: ...
        async def push_x_post(self, _tweet) -> None: ...
        async def push_mastodon_status(self, _status) -> None: ...

    scenario = load_scenario()
    replayer = ScenarioReplayer(Quiet(), scenario=scenario, speed=3600.0, start=scenario.start, client_wait_s=0)
    task = asyncio.create_task(replayer.run())
    try:
        for _ in range(100):
            if replayer.progress()["pushed"]:
                break
            await asyncio.sleep(0.01)
        in_loop = replayer.clock()
        in_thread = await asyncio.to_thread(replayer.clock)  # the store writer's thread: no event loop there
        assert scenario.start < in_loop <= in_thread < in_loop + timedelta(minutes=30)
    finally:
        replayer.stop()
        await task


def test_collectors_and_operator_decisions_follow_the_installed_clock(tmp_path) -> None:
    from collectors.camera import Camera

    camera = Camera(Camera.Config.model_validate(
        {"kind": "camera", "name": "cams", "cameras": [{"id": "c1", "name": "c", "url": "http://127.0.0.1:9/c.jpg",
                                                          "lat": 34.7, "lng": 136.5}]}),
        None, tmp_path)  # type: ignore[arg-type]
    assert clock.now() - datetime.now(UTC) < timedelta(seconds=5)
    with clock.using(lambda: SCENARIO_T):
        assert camera.clock() == SCENARIO_T and clock.now() == SCENARIO_T
    assert camera.clock() != SCENARIO_T  # back on the wall clock
