"""The demo typhoon's municipality: 津市 issues an evacuation order and opens shelters within 90 s of the
start, through the same CAP parser, alert lifecycle and shelter-status store as a real deployment."""

from __future__ import annotations

import asyncio
from typing import Any

from bosai.demo.municipal import MunicipalEvent, load_municipal
from bosai.demo.replay import DEFAULT_SPEED, ScenarioReplayer
from bosai.demo.runtime import DemoRuntime
from bosai.demo.scenario_loader import load_scenario
from bosai.demo.sources import MUNICIPAL_CAP_SOURCE, demo_source_blocks
from collectors.cap_evacuation import parse_cap
from kernel.config import AppConfig
from kernel.store import Store
from kernel.store import evacuations as store
from kernel.store.models import AlertRow
from publish.evacuations import apply_notice

CONTRACT_S = 90.0


class NoFakes:
    """The replayer's fake sources, unused here: only the municipality's events are looked at."""

    def publish_jma(self, *_a: Any, **_k: Any) -> str:
        return ""

    def set_gauge_items(self, items: list[dict[str, Any]]) -> None:
        return None

    def set_camera_image(self, *_a: Any, **_k: Any) -> None:
        return None

    async def push_x_post(self, tweet: dict[str, Any]) -> None:
        return None

    async def push_mastodon_status(self, status: dict[str, Any]) -> None:
        return None


def test_order_and_three_shelters_come_within_90_seconds_of_start() -> None:
    scenario = load_scenario()

    async def nothing(_event: MunicipalEvent) -> None:
        return None

    replayer = ScenarioReplayer(NoFakes(), scenario=scenario, municipal=nothing)
    budget = CONTRACT_S - replayer.client_wait_s  # the replay may first wait this long for stream clients
    soon = [e.item for e in replayer.events
            if e.kind == "municipal" and (e.at - replayer.start).total_seconds() / DEFAULT_SPEED <= budget]
    orders = [m for m in soon if m.kind == "evacuation" and (m.data.get("level") or 0) >= 4]
    opened = {i for m in soon if m.kind == "shelter" and m.data["status"] == "open" for i in m.data["shelter_ids"]}
    assert orders and len(opened) >= 3
    assert any(e.data.get("lift") for e in load_municipal())  # and the day ends with 解除


def test_demo_sources_include_the_signed_cap_endpoint() -> None:
    blocks = demo_source_blocks("http://127.0.0.1:1", load_scenario(), webhook_secret_env="S", x_token_env="X")
    (cap,) = [b for b in blocks if b["kind"] == "cap_evacuation"]
    assert cap["name"] == MUNICIPAL_CAP_SOURCE and cap["secret_env"] == "S"


async def test_the_demo_municipality_produces_the_order_and_open_shelters(sqlite_store: Store, tmp_path) -> None:
    runtime = DemoRuntime(AppConfig.model_validate({"service": {"data_dir": str(tmp_path)}}), sqlite_store)
    runtime.replayer = ScenarioReplayer(NoFakes(), speed=1_000_000.0, municipal=runtime._municipal)
    sent: list[tuple[str, bytes]] = []

    async def to_the_cap_endpoint(source: str, body: bytes, content_type: str = "") -> None:
        sent.append((source, body))  # what the service's CAP source would receive, applied as the pipeline does
        notice = parse_cap(body, source=source)
        await sqlite_store.write(lambda s: apply_notice(s, notice, actor=f"cap:{source}"))

    runtime._post_webhook = to_the_cap_endpoint  # type: ignore[method-assign]
    noon = runtime.replayer.start.replace(hour=12)  # well past the 90 s mark, before the 解除
    runtime.replayer.events = [e for e in runtime.replayer.events if e.kind == "municipal" and e.at < noon]
    await asyncio.wait_for(runtime.replayer.run(), timeout=30)
    assert runtime.replayer.progress()["errors"] == 0
    assert {s for s, _ in sent} == {MUNICIPAL_CAP_SOURCE}
    with sqlite_store.session() as s:
        (order,) = store.evacuations(s)
        assert (order.municipality_code, order.level, order.municipality) == ("24201", 4, "津市")
        alert = s.get(AlertRow, order.alert_id)
        assert alert.msg_type == "Update" and alert.source == "municipality" and alert.event == "避難指示"
        statuses = store.shelter_statuses(s)
        assert sum(r.status in ("open", "full") for r in statuses.values()) >= 3
        assert {r.actor for r in store.audit_log(s, "shelter")} == {"demo:津市"}
