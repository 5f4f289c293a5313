"""The background notifier: new alerts reach webhook and e-mail subscribers exactly once, across restarts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bosai.live import LiveHub
from bosai.notify import AlertNotifier, build_channels, undelivered
from kernel.config import AppConfig
from kernel.store import Store
from kernel.store.models import AlertRow, Delivery, Subscription
from publish.delivery import subscribe


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, _server, _session, envelope) -> str:  # aiosmtpd calls it by this name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def db(sqlite_store: Store) -> Store:
    return sqlite_store


@pytest.fixture
async def hook(webhook_receiver):
    """A local webhook receiver and its URL."""
    receiver = await webhook_receiver()
    return receiver, receiver.url


def _config(smtp_port: int | None = None, **delivery) -> AppConfig:
    block = {"allow_private_webhooks": True, "poll_s": 60, "max_attempts": 1, **delivery}
    if smtp_port:
        block |= {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_from": "alerts@bosai.test"}
    return AppConfig.model_validate({"delivery": block})


def _add_alert(store: Store, alert_id: str, code: str, name: str, sent: datetime) -> None:
    row = AlertRow(id=alert_id, source="jma", ref="official:1", hazard="heavy_rain", event="大雨警報", level=3,
                   severity="Severe", urgency="Expected", certainty="Likely", msg_type="Alert", status="Actual",
                   areas=[{"code": code, "name": name}],
                   slots={"kind": "issued", "event_key": "heavy_rain_warning", "event_name": "大雨警報",
                          "time": sent.isoformat()}, sent=sent, expires=None)
    store.submit(lambda s: s.add(row)).result(10)


def _subscribe(store: Store, created: datetime, confirmed: bool = True, **kw) -> int:
    return store.submit(lambda s: subscribe(s, now=created, confirmed=confirmed, **kw).id).result(10)


def _deliveries(store: Store) -> list[tuple[str, int, str]]:
    with store.session() as s:
        rows = s.scalars(select(Delivery).order_by(Delivery.alert_id, Delivery.subscription_id))
        return [(d.alert_id, d.subscription_id, d.status) for d in rows]


async def test_new_alert_reaches_webhook_and_email_once_across_restarts(db, hook, smtp) -> None:
    receiver, url = hook
    inbox, port = smtp
    now = datetime.now(UTC)
    web_sub = _subscribe(db, now, channel="webhook", target=url, language="en", areas=["24201"])
    mail_sub = _subscribe(db, now, channel="email", target="resident@example.jp", language="ja-easy", areas=[])
    _subscribe(db, now, channel="webhook", target=url, language="pt", areas=["24562"])  # 紀宝町: elsewhere
    _add_alert(db, "jma-1-heavy_rain_warning-issued", "24201", "津市", now)

    first = AlertNotifier(db, _config(port))
    assert await first.run_once() == 2
    await first.stop()
    second = AlertNotifier(db, _config(port))  # a restarted process
    assert await second.run_once() == 0

    received = receiver.json()
    assert len(received) == 1 and received[0]["lang"] == "en" and "Tsu" in received[0]["headline"]
    assert len(inbox.messages) == 1
    rcpts, content = inbox.messages[0]
    assert rcpts == ["resident@example.jp"]
    body = message_from_bytes(content).get_payload(decode=True).decode("utf-8")
    assert "レベル3" in body and "津市" in body
    assert _deliveries(db) == [("jma-1-heavy_rain_warning-issued", web_sub, "sent"),
                               ("jma-1-heavy_rain_warning-issued", mail_sub, "sent")]


async def test_alert_event_wakes_the_running_notifier(db, hook) -> None:
    receiver, url = hook
    now = datetime.now(UTC)
    _subscribe(db, now, channel="webhook", target=url, language="ja", areas=["24202"])
    hub = LiveHub()
    notifier = AlertNotifier(db, _config(poll_s=600), hub)
    await notifier.start()
    try:
        for _ in range(100):  # the first pass runs at once; then only the event can wake it
            if notifier.passes:
                break
            await asyncio.sleep(0.02)
        assert notifier.passes == 1 and not receiver.bodies
        _add_alert(db, "jma-2-heavy_rain_warning-issued", "24202", "四日市市", now)
        hub.publish("alert", {"id": "jma-2-heavy_rain_warning-issued"})
        for _ in range(250):
            if receiver.bodies:
                break
            await asyncio.sleep(0.02)
    finally:
        await notifier.stop()
    assert [r["alert_id"] for r in receiver.json()] == ["jma-2-heavy_rain_warning-issued"]


async def test_alerts_older_than_the_sign_up_are_not_sent(db, hook) -> None:
    receiver, url = hook
    now = datetime.now(UTC)
    _add_alert(db, "old", "24201", "津市", now - timedelta(days=2))
    _subscribe(db, now, channel="webhook", target=url, language="en", areas=[])
    with db.session() as s:
        assert undelivered(s, frozenset({"webhook"}), now) == []
    assert await AlertNotifier(db, _config()).run_once() == 0 and not receiver.bodies


async def test_failures_are_recorded_and_crash_leftovers_retaken(db, aiohttp_server) -> None:
    async def refuse(_request: web.Request) -> web.Response:
        return web.Response(status=500)

    app = web.Application()
    app.router.add_post("/hook", refuse)
    url = str((await aiohttp_server(app)).make_url("/hook"))
    now = datetime.now(UTC)
    sub = _subscribe(db, now, channel="webhook", target=url, language="en", areas=[])
    _add_alert(db, "a1", "24201", "津市", now)
    _add_alert(db, "a2", "24201", "津市", now)

    def left_by_crash(s) -> None:
        s.add(Delivery(alert_id="a2", subscription_id=sub, status="sending", attempts=0,
                       updated_at=now - timedelta(minutes=11)))

    db.submit(left_by_crash).result(10)
    notifier = AlertNotifier(db, _config())
    with db.session() as s:
        assert undelivered(s, frozenset(notifier.channels), now) == ["a1", "a2"]
    assert await notifier.run_once() == 0  # refused: recorded, not raised
    assert [(a, st) for a, _, st in _deliveries(db)] == [("a1", "failed"), ("a2", "failed")]
    assert await notifier.run_once() == 0
    with db.session() as s:
        assert undelivered(s, frozenset(notifier.channels), now) == []


def test_email_channel_only_when_an_smtp_host_is_configured() -> None:
    assert set(build_channels(_config().delivery)) == {"webhook"}
    assert set(build_channels(_config(2525).delivery)) == {"webhook", "email"}


async def test_nothing_reaches_a_sign_up_before_it_is_confirmed(db, hook, smtp) -> None:
    from publish.channels.links import link_token
    from publish.subscriptions import confirm

    receiver, url = hook
    inbox, port = smtp
    now = datetime.now(UTC)
    web_sub = _subscribe(db, now, confirmed=False, channel="webhook", target=url, language="en", areas=[])
    mail_sub = _subscribe(db, now, confirmed=False, channel="email", target="r@example.jp", language="en", areas=[])
    _add_alert(db, "a1", "24201", "津市", now)
    notifier = AlertNotifier(db, _config(port))
    with db.session() as s:
        assert undelivered(s, frozenset(notifier.channels), now) == []
    assert await notifier.run_once() == 0 and not receiver.bodies and not inbox.messages

    def confirm_both(s) -> None:
        for sub_id in (web_sub, mail_sub):
            secret = s.get(Subscription, sub_id).secret
            assert confirm(s, sub_id, link_token(secret, "confirm", sub_id), now, timedelta(hours=48)) is not None

    db.submit(confirm_both).result(10)
    assert await notifier.run_once() == 2
    assert len(receiver.bodies) == 1 and len(inbox.messages) == 1


async def test_every_message_carries_a_one_click_unsubscribe_link(db, hook, smtp) -> None:
    import hashlib
    import hmac

    receiver, url = hook
    inbox, port = smtp
    now = datetime.now(UTC)
    web_sub = _subscribe(db, now, channel="webhook", target=url, language="pt", areas=[])
    mail_sub = _subscribe(db, now, channel="email", target="r@example.jp", language="ja", areas=[])
    _add_alert(db, "a1", "24201", "津市", now)
    assert await AlertNotifier(db, _config(port, max_attempts=1)).run_once() == 2
    with db.session() as s:
        secrets = {sub.id: sub.secret for sub in s.scalars(select(Subscription))}
    base = "http://127.0.0.1:8080/api/subscriptions"  # publish.base_url

    [payload] = receiver.json()
    assert payload["type"] == "alert" and payload["alert_id"] == "a1" and payload["subscription_id"] == web_sub
    assert payload["unsubscribe_url"].startswith(f"{base}/{web_sub}/unsubscribe?token=")
    headers, body = receiver.headers[0], receiver.bodies[0]
    mac = hmac.new(secrets[web_sub].encode(), headers["X-Bosai-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-Bosai-Signature"] == f"sha256={mac.hexdigest()}"

    msg = message_from_bytes(inbox.messages[0][1])
    link = msg["List-Unsubscribe"]
    assert link.startswith(f"<{base}/{mail_sub}/unsubscribe?token=") and link.endswith(">")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    assert msg["Content-Language"] == "ja"
    text = msg.get_payload(decode=True).decode("utf-8")
    assert f"配信を停止するには：{link[1:-1]}" in text


async def test_unconfirmed_sign_ups_expire_on_the_notifier_clock(db) -> None:
    created = datetime(2026, 9, 20, 6, 0, tzinfo=UTC)  # the demo's scenario day: its own clock, not the wall's
    pending = _subscribe(db, created, confirmed=False, channel="email", target="p@example.jp", language="en",
                         areas=[])
    kept = _subscribe(db, created, channel="email", target="k@example.jp", language="en", areas=[])
    clock = [created + timedelta(hours=47)]
    notifier = AlertNotifier(db, _config(confirm_ttl_h=48), clock=lambda: clock[0])
    await notifier.run_once()
    with db.session() as s:
        assert s.get(Subscription, pending).active
    clock[0] = created + timedelta(hours=48, minutes=1)
    await notifier.run_once()
    with db.session() as s:
        gone, still = s.get(Subscription, pending), s.get(Subscription, kept)
        assert (gone.active, gone.target) == (False, "")  # the address is forgotten
        assert still.active and still.target == "k@example.jp"
