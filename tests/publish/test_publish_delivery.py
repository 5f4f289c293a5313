"""Delivery to subscribers: webhook to a local aiohttp server, e-mail to a local SMTP server; retries and
no duplicate sends."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiohttp import web
from sqlalchemy import select

from bosai.errors import DeliveryError
from bosai.store import Store
from bosai.store.models import Delivery
from publish.channels import Channel, Target
from publish.channels.email import EmailChannel
from publish.channels.webhook import WebhookChannel, check_url
from publish.delivery import RetryPolicy, dispatch, subscribe
from publish.messages import render_alert

FAST = RetryPolicy(attempts=4, base_delay_s=0.01, max_delay_s=0.05)
NOW = datetime(2026, 9, 12, 11, 0, tzinfo=UTC)


@pytest.fixture
def running(db: Store, alert_set, session):
    """The store with the alert set committed and the writer started."""
    session.commit()
    db.start()
    return db


def _subscribe(store: Store, **kwargs) -> int:
    with store.session() as s:
        sub = subscribe(s, now=NOW, **kwargs)
        s.commit()
        return sub.id


def _deliveries(store: Store) -> list[Delivery]:
    with store.session() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


async def test_webhook_retries_then_delivers_once(running, alert_set, aiohttp_server) -> None:
    received: list[dict] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=503 if len(received) <= 2 else 204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    url = str(server.make_url("/hook"))
    _subscribe(running, channel="webhook", target=url, language="pt", areas=["24202"])
    _subscribe(running, channel="webhook", target=url, language="en", areas=["24562"])  # 紀宝町: not this alert
    channels = {"webhook": WebhookChannel(allow_private=True)}
    alert_id = alert_set[0].id
    result = await dispatch(running, alert_id, channels, policy=FAST)
    assert (result.sent, result.failed) == (1, 0)
    assert len(received) == 3  # two 503s, then success
    assert received[-1]["lang"] == "pt" and "Yokkaichi" in received[-1]["headline"]
    again = await dispatch(running, alert_id, channels, policy=FAST)
    assert (again.sent, again.failed) == (0, 0) and len(received) == 3  # no duplicate
    rows = _deliveries(running)
    assert [(r.status, r.attempts) for r in rows] == [("sent", 3)]


async def test_webhook_gives_up_after_the_retries(running, alert_set, aiohttp_server) -> None:
    calls = []

    async def broken(request: web.Request) -> web.Response:
        calls.append(1)
        return web.Response(status=500)

    app = web.Application()
    app.router.add_post("/hook", broken)
    server = await aiohttp_server(app)
    _subscribe(running, channel="webhook", target=str(server.make_url("/hook")), language="vi", areas=[])
    result = await dispatch(running, alert_set[3].id, {"webhook": WebhookChannel(allow_private=True)},
                            policy=FAST)
    assert (result.sent, result.failed) == (0, 1) and len(calls) == FAST.attempts
    row = _deliveries(running)[0]
    assert row.status == "failed" and "HTTP 500" in row.last_error


def test_webhook_refuses_private_addresses_unless_allowed() -> None:
    from bosai.errors import UnsafeURLError

    with pytest.raises(UnsafeURLError):
        check_url("http://127.0.0.1:8080/hook", allow_private=False)
    with pytest.raises(UnsafeURLError):
        check_url("file:///etc/passwd", allow_private=True)
    check_url("http://127.0.0.1:8080/hook", allow_private=True)


async def test_email_goes_through_smtp(running, alert_set) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _subscribe(running, channel="email", target="resident@example.org", language="ja-easy", areas=["24202"])
        channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.example")
        result = await dispatch(running, alert_set[0].id, {"email": channel}, policy=FAST)
        again = await dispatch(running, alert_set[0].id, {"email": channel}, policy=FAST)
    finally:
        controller.stop()
    assert (result.sent, again.sent) == (1, 0)
    assert len(handler.messages) == 1
    msg = message_from_bytes(handler.messages[0])
    assert "大雨警報" in str(make_header(decode_header(msg["Subject"])))
    body = msg.get_payload(decode=True).decode("utf-8")
    assert "警戒(けいかい)レベル3" in body and "出典(しゅってん)：気象庁(きしょうちょう)" in body


async def test_email_to_unreachable_server_is_a_delivery_error(alert_set) -> None:
    channel = EmailChannel(host="127.0.0.1", port=1, sender="a@b.example", timeout_s=2)
    with pytest.raises(DeliveryError, match="smtp failed"):
        await channel.deliver(render_alert(alert_set[0], "en"), Target(1, "email", "x@y.example", "en"))
    assert isinstance(channel, Channel) and isinstance(WebhookChannel(), Channel)


def test_subscription_rejects_unknown_language(session) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        subscribe(session, channel="email", target="a@b.example", language="fr", areas=[], now=NOW)



async def test_concurrent_dispatchers_send_once(running, alert_set, aiohttp_server) -> None:
    import asyncio

    received = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        await asyncio.sleep(0.05)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    for lang in ("ko", "es", "tl"):
        _subscribe(running, channel="webhook", target=str(server.make_url("/hook")), language=lang, areas=[])
    channels = {"webhook": WebhookChannel(allow_private=True)}
    results = await asyncio.gather(*(dispatch(running, alert_set[5].id, channels, policy=FAST) for _ in range(3)))
    assert sum(r.sent for r in results) == 3
    assert sorted(r["lang"] for r in received) == ["es", "ko", "tl"]
