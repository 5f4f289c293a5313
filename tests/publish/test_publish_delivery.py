"""Delivery to subscribers: webhook to a local aiohttp server, e-mail to a local SMTP server; retries and
no duplicate sends."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import event, select

from kernel.errors import DeliveryError
from kernel.store import Store
from kernel.store.models import AlertRow, Delivery
from publish.channels import Channel, Target
from publish.channels.email import EmailChannel
from publish.channels.webhook import WebhookChannel, check_url
from publish.delivery import CLAIM_TIMEOUT, RetryPolicy, claim, dispatch, subscribe
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
        sub = subscribe(s, now=NOW, confirmed=kwargs.pop("confirmed", True), **kwargs)
        s.commit()
        return sub.id


def _deliveries(store: Store) -> list[Delivery]:
    with store.session() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


async def test_webhook_retries_then_delivers_once(running, alert_set, webhook_receiver) -> None:
    hook = await webhook_receiver(status=lambda n: 503 if n <= 2 else 204)
    url = hook.url
    _subscribe(running, channel="webhook", target=url, language="pt", areas=["24202"])
    _subscribe(running, channel="webhook", target=url, language="en", areas=["24562"])  # 紀宝町: not this alert
    channels = {"webhook": WebhookChannel(allow_private=True)}
    alert_id = alert_set[0].id
    result = await dispatch(running, alert_id, channels, policy=FAST)
    assert (result.sent, result.failed) == (1, 0)
    assert len(hook.bodies) == 3  # two 503s, then success
    assert hook.json()[-1]["lang"] == "pt" and "Yokkaichi" in hook.json()[-1]["headline"]
    again = await dispatch(running, alert_id, channels, policy=FAST)
    assert (again.sent, again.failed) == (0, 0) and len(hook.bodies) == 3  # no duplicate
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


async def test_webhook_refuses_private_addresses_unless_allowed() -> None:
    from kernel.errors import UnsafeURLError

    with pytest.raises(UnsafeURLError):
        await check_url("http://127.0.0.1:8080/hook", allow_private=False)
    with pytest.raises(UnsafeURLError):
        await check_url("file:///etc/passwd", allow_private=True)
    await check_url("http://127.0.0.1:8080/hook", allow_private=True)
    with pytest.raises(DeliveryError, match="cannot resolve"):
        await check_url("http://no-such-host.invalid/hook", allow_private=False)


async def test_webhook_refuses_a_host_rebound_to_an_internal_address(sample_alerts, webhook_receiver,
                                                                      rebinding_dns) -> None:
    hook = await webhook_receiver()
    target = Target(1, "webhook", f"http://{rebinding_dns.host}:{hook.port}/hook", "en")
    with pytest.raises(DeliveryError, match=r"non-public address 127\.0\.0\.1"):
        await WebhookChannel().deliver(render_alert(sample_alerts[0], "en"), target)
    assert rebinding_dns.answers == ["93.184.216.34", "127.0.0.1"]  # the check saw a public address
    assert hook.bodies == []


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


async def test_email_to_unreachable_server_is_a_delivery_error(sample_alerts) -> None:
    channel = EmailChannel(host="127.0.0.1", port=1, sender="a@b.example", timeout_s=2)
    with pytest.raises(DeliveryError, match="smtp failed"):
        await channel.deliver(render_alert(sample_alerts[0], "en"), Target(1, "email", "x@y.example", "en"))
    assert isinstance(channel, Channel) and isinstance(WebhookChannel(), Channel)


def test_subscription_rejects_unknown_language(session) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        subscribe(session, channel="email", target="a@b.example", language="fr", areas=[], now=NOW)



async def test_concurrent_dispatchers_send_once(running, alert_set, webhook_receiver) -> None:
    import asyncio

    hook = await webhook_receiver(status=lambda _n: 200, delay_s=0.05)
    for lang in ("ko", "es", "tl"):
        _subscribe(running, channel="webhook", target=hook.url, language=lang, areas=[])
    channels = {"webhook": WebhookChannel(allow_private=True)}
    results = await asyncio.gather(*(dispatch(running, alert_set[5].id, channels, policy=FAST) for _ in range(3)))
    assert sum(r.sent for r in results) == 3
    assert sorted(r["lang"] for r in hook.json()) == ["es", "ko", "tl"]


@pytest.mark.postgres
def test_concurrent_claims_on_postgres_never_take_a_delivery_twice(pg_url) -> None:
    store = Store(pg_url)
    store.upgrade()
    try:
        with store.session() as s:
            s.add(AlertRow(id="a1", source="jma", ref="official:1", hazard="heavy_rain", event="大雨警報", level=3,
                           severity="Severe", urgency="Expected", certainty="Likely",
                           areas=[{"code": "2420100", "name": "津市"}], slots={}, sent=NOW, expires=None))
            for n in range(5):
                subscribe(s, channel="webhook", target=f"https://example.org/{n}", language="en", areas=[], now=NOW,
                          confirmed=True)
            claim(s, "a1", NOW - 2 * CLAIM_TIMEOUT)  # claims a crashed dispatcher left: due to be taken again
            s.commit()
        second: list[tuple[int, Target]] = []

        def claim_in_second_session() -> None:
            with store.session() as other:
                second.extend(claim(other, "a1", NOW))
                other.commit()

        rival = threading.Thread(target=claim_in_second_session)

        def between_select_and_update(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if "FROM deliveries" in statement and rival.ident is None:
                rival.start()  # the second dispatcher claims while the first holds the rows it selected
                rival.join(timeout=10)

        with store.session() as s:
            event.listen(s.connection(), "after_cursor_execute", between_select_and_update)
            first = claim(s, "a1", NOW)
            s.commit()
        rival.join(timeout=30)
        assert rival.ident is not None and not rival.is_alive()
        claimed = sorted(d for d, _ in first + second)
        assert claimed == sorted(d.id for d in _deliveries(store)) and len(claimed) == 5  # each exactly once
    finally:
        store.close()
