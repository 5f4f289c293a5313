"""CAP 1.2 evacuation information from municipal systems: signed like the webhook, parsed safely, stored
before the answer, applied by the observe stage; bad or unsigned input is refused with a 4xx and kept."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web

from bosai.bus import MemoryBus
from bosai.demo.municipal import MunicipalEvent, cap_message
from bosai.live import LiveHub
from bosai.pipeline import Pipeline
from collectors.cap_evacuation import parse_cap
from collectors.registry import build_collectors
from collectors.runner import CollectorRunner
from collectors.webhook import sign
from kernel.metrics import Metrics
from kernel.store import Store
from kernel.store import evacuations as store
from kernel.store.models import AlertRow, RawItem, Reject

SECRET_ENV = "BOSAI_TEST_CAP_SECRET"
SOURCE = "tsu_cap"


def cap(level: int | None = 4, *, lift: bool = False, at: str = "2026-09-20T09:45:00+09:00",
        towns: list[str] | None = None) -> bytes:
    data: dict[str, Any] = {"municipality_code": "24201", "level": level, "hazard": "洪水", "lift": lift,
                            "towns": ["安濃町今徳", "安濃町内多"] if towns is None else towns}
    event = MunicipalEvent(datetime.fromisoformat(at), "evacuation", data)
    return cap_message(event, identifier=f"tsu-{at}-{level}-{lift}", municipality="津市")


@pytest.fixture
async def service(aiohttp_client, sqlite_store: Store, http, tmp_path, monkeypatch) -> AsyncIterator[Any]:
    """The CAP source behind the web route, with the real runner, pipeline and store."""
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    hub = LiveHub()
    pipeline = Pipeline(store=sqlite_store, bus=MemoryBus(50), classifier=None, geocoder=None, metrics=Metrics(),
                        hub=hub, batch_size=8)
    pipeline.start(resume=False)
    (collector,) = build_collectors([{"kind": "cap_evacuation", "name": SOURCE, "secret_env": SECRET_ENV,
                                      "max_body_bytes": 8192, "timeout_s": 5}], http, tmp_path)
    runner = CollectorRunner([collector], pipeline.ingest, Metrics(), on_bad_item=pipeline.reject)
    await runner.start()
    app = web.Application()
    handlers = runner.webhook_handlers()

    async def route(request: web.Request) -> web.StreamResponse:
        return await handlers[request.match_info["name"]](request)

    app.router.add_post("/webhook/{name}", route)
    client = await aiohttp_client(app)
    yield client, pipeline, sqlite_store
    await runner.stop()
    await pipeline.stop()


async def send(client, body: bytes, *, secret: str | None = "s3cret", ts: int | None = None):
    headers = {"Content-Type": "application/cap+xml"}
    if secret is not None:
        headers.update(sign(secret, body, ts or int(time.time())))
    return await client.post(f"/webhook/{SOURCE}", data=body, headers=headers)


async def test_signed_cap_is_stored_then_becomes_the_evacuation_and_its_alert(service) -> None:
    client, pipeline, db = service
    resp = await send(client, cap(3, at="2026-09-20T08:50:00+09:00"))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["level"] == 3
    now = int(time.time())  # one clock read: two could give the same second, and a replay is refused
    assert (await send(client, cap(4), ts=now)).status == 200
    duplicate = await send(client, cap(4), ts=now - 1)  # resent, newly signed: stored once
    assert duplicate.status == 200
    assert (await send(client, cap(None, lift=True, at="2026-09-20T19:00:00+09:00"))).status == 200
    assert await pipeline.drain(10)
    with db.session() as s:
        assert s.query(RawItem).filter_by(source=SOURCE, kind="evacuation").count() == 3
        (row,) = store.evacuations(s, include_lifted=True)
        assert list(row.towns) == sorted(["安濃町今徳", "安濃町内多"]) and row.level == 4 and row.lifted_at is not None
        assert row.hazard == "flood" and row.source == SOURCE and row.sender == "24201@demo.bosai.invalid"
        alerts = s.query(AlertRow).order_by(AlertRow.sent).all()
        assert [(a.msg_type, a.level, a.source) for a in alerts] == [
            ("Alert", 3, "municipality"), ("Update", 4, "municipality"), ("Cancel", None, "municipality")]
        assert [r.action for r in store.audit_log(s, "evacuation")] == ["issue", "raise", "lift"]
        assert {r.actor for r in store.audit_log(s)} == {f"cap:{SOURCE}"}
        assert s.query(Reject).count() == 0


async def test_unsigned_and_badly_signed_are_401_and_kept_as_rejects(service) -> None:
    client, _pipeline, db = service
    body = cap(4)
    unsigned = await send(client, body, secret=None)
    wrong = await send(client, body, secret="guess")
    old = await send(client, body, ts=1_000_000)
    assert (unsigned.status, wrong.status, old.status) == (401, 401, 401)
    assert "missing" in (await unsigned.json())["error"] and "bad signature" in (await wrong.json())["error"]
    with db.session() as s:
        rejects = s.query(Reject).order_by(Reject.id).all()
        assert len(rejects) == 3 and all(r.raw == body and r.source == SOURCE for r in rejects)
        assert "signature refused" in rejects[0].error
        assert s.query(RawItem).count() == 0 and store.evacuations(s) == []


@pytest.mark.parametrize(("body", "why"), [
    (b"<alert><unclosed>", "malformed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "DTD"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not a CAP 1.2 alert"),
    (cap(4).replace(b"24201", b"13101"), "municipality"),
    (cap(4).replace(b"<value>4</value>", b"<value>2</value>"), "level"),
    (cap(4).replace(b"<status>Actual</status>", b"<status>Test</status>"), "status"),
    (cap(4).replace(b"+09:00</sent>", b"</sent>").replace(b"+09:00</effective>", b"</effective>"), "UTC offset"),
])
async def test_malformed_cap_is_400_and_kept_as_a_reject(service, body: bytes, why: str) -> None:
    client, _pipeline, db = service
    resp = await send(client, body)
    assert resp.status == 400 and why in (await resp.json())["error"]
    with db.session() as s:
        (reject,) = s.query(Reject).all()
        assert reject.raw == body and reject.source == SOURCE and why in reject.error
        assert s.query(RawItem).count() == 0


async def test_oversized_body_is_413_and_its_start_kept(service) -> None:
    client, _pipeline, db = service
    body = cap(4) + b"<!--" + b"x" * 10_000 + b"-->"
    resp = await send(client, body)
    assert resp.status == 413
    with db.session() as s:
        (reject,) = s.query(Reject).all()
        assert reject.raw == body[:8192] and "larger" in reject.error


def test_parse_reads_the_l_alert_fields() -> None:
    notice = parse_cap(cap(5, towns=[]), source="s")
    assert (notice.municipality_code, notice.level, notice.lifted, notice.towns) == ("24201", 5, False, ())
    assert notice.observed_at.isoformat() == "2026-09-20T09:45:00+09:00" and notice.hazard == "洪水"
    lifted = parse_cap(cap(None, lift=True), source="s")
    assert lifted.lifted and lifted.level is None and lifted.towns == ("安濃町今徳", "安濃町内多")
    by_event = cap(4).replace("<valueName>警戒レベル</valueName><value>4</value>".encode(), b"")
    assert parse_cap(by_event, source="s").level == 4  # the level read from <event>避難指示</event>
    six_digit = cap(3).replace(b"<value>24201</value>", b"<value>242012</value>")
    assert parse_cap(six_digit, source="s").municipality_code == "24201"
