"""Resident subscriptions over HTTP: validation, SSRF refusal, double opt-in for e-mail (a local SMTP server)
and webhooks (a local receiver), one-click unsubscribe (RFC 8058), expiry, the public page's form."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from sqlalchemy import select
from web_factories import NOW

from bosai.context import ServiceContext
from bosai.web.app import create_app
from kernel.config import DeliveryConfig
from kernel.store.models import Subscription

PUBLIC_HOOK = "https://93.184.215.14/alerts"  # an IP literal: no DNS needed to check it
LINK = re.compile(r"http://bosai\.test(/api/subscriptions/\d+/(?:confirm|unsubscribe)\?token=[0-9a-f]+)")


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server and its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclasses.dataclass
class Receiver:
    """A local webhook endpoint: what it was sent (headers, body) and its URL."""

    url: str
    requests: list[tuple[dict[str, str], bytes]]

    def json(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver(aiohttp_server: Any) -> Callable[..., Any]:
    """Start a receiver on POST /hook whose answer ``answer(payload)`` returns (status, body)."""

    async def start(answer: Callable[[dict[str, Any]], tuple[int, str]] = lambda _p: (204, "")) -> Receiver:
        seen: list[tuple[dict[str, str], bytes]] = []

        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            seen.append((dict(request.headers), body))
            status, text = answer(json.loads(body))
            return web.Response(status=status, text=text)

        app = web.Application()
        app.router.add_post("/hook", handle)
        server = await aiohttp_server(app)
        return Receiver(str(server.make_url("/hook")), seen)

    return start


def echo(payload: dict[str, Any]) -> tuple[int, str]:
    """A receiver that confirms: it echoes the challenge."""
    return 200, json.dumps({"challenge": payload.get("challenge")})


def _with_delivery(ctx: ServiceContext, **delivery: Any) -> ServiceContext:
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"delivery": DeliveryConfig(**delivery)}))


def _local(ctx: ServiceContext, smtp_port: int | None = None, **more: Any) -> ServiceContext:
    """Webhooks on loopback allowed (the local receiver); e-mail through the local SMTP server."""
    mail = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_from": "alerts@bosai.test"} if smtp_port else {}
    return _with_delivery(ctx, allow_private_webhooks=True, webhook_timeout_s=5, **mail, **more)


async def _client(aiohttp_client: Any, ctx: ServiceContext) -> Any:
    return await aiohttp_client(create_app(ctx))


def _subs(ctx: ServiceContext) -> list[Subscription]:
    with ctx.store.session() as s:
        return list(s.scalars(select(Subscription).order_by(Subscription.id)))


def _links(text: str) -> dict[str, str]:
    """confirm / unsubscribe -> the path and query of that link in a message."""
    return {m.split("/")[4].split("?")[0]: m for m in LINK.findall(text)}


def _body(msg: Message) -> str:
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


async def test_webhook_that_echoes_the_challenge_is_confirmed_and_posts_are_signed(aiohttp_client, ctx,
                                                                                   receiver) -> None:
    hook = await receiver(echo)
    client = await _client(aiohttp_client, _local(ctx))
    resp = await client.post("/api/subscriptions", json={
        "channel": "webhook", "target": hook.url, "language": "vi", "areas": ["24202", "24201", "24202"]})
    assert resp.status == 201
    made = await resp.json()
    assert made["status"] == "confirmed" and made["areas"] == ["24201", "24202"] and made["language"] == "vi"
    [(headers, body)] = hook.requests
    request = json.loads(body)
    assert request["type"] == "subscription_confirmation" and request["subscription_id"] == made["id"]
    assert urlsplit(request["confirm_url"]).path == f"/api/subscriptions/{made['id']}/confirm"
    assert "unsubscribe_url" in request
    expected = hmac.new(made["signing_secret"].encode(), headers["X-Bosai-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-Bosai-Signature"] == f"sha256={expected}"  # the receiver can tell the post is ours
    [sub] = _subs(ctx)
    assert sub.active and sub.confirmed_at == NOW and sub.target == hook.url
    assert sub.unsubscribe_token_hash == hashlib.sha256(made["unsubscribe_token"].encode()).hexdigest()


async def test_webhook_that_does_not_echo_stays_pending_until_its_confirm_url_is_opened(aiohttp_client, ctx,
                                                                                        receiver) -> None:
    hook = await receiver()  # answers 204 with no body: a person must open confirm_url
    client = await _client(aiohttp_client, _local(ctx))
    made = await (await client.post("/api/subscriptions", json={
        "channel": "webhook", "target": hook.url, "language": "en", "areas": []})).json()
    assert made["status"] == "pending"
    assert _subs(ctx)[0].confirmed_at is None
    url = urlsplit(hook.json()[0]["confirm_url"])
    page = await client.get(f"{url.path}?{url.query}")  # a link scanner's GET confirms nothing
    assert page.status == 200 and "<form" in await page.text()
    assert _subs(ctx)[0].confirmed_at is None
    wrong = await client.post(f"{url.path}?token={'0' * 64}", headers={"Accept": "application/json"})
    assert wrong.status == 404 and _subs(ctx)[0].confirmed_at is None
    done = await client.post(f"{url.path}?{url.query}", headers={"Accept": "application/json"})
    assert done.status == 200 and (await done.json())["status"] == "confirmed"
    assert _subs(ctx)[0].confirmed_at == NOW


async def test_webhook_that_refuses_the_confirmation_is_not_subscribed(aiohttp_client, ctx, receiver) -> None:
    hook = await receiver(lambda _p: (404, "no"))
    client = await _client(aiohttp_client, _local(ctx))
    resp = await client.post("/api/subscriptions", json={
        "channel": "webhook", "target": hook.url, "language": "en", "areas": []})
    assert resp.status == 400 and (await resp.json())["error"].startswith("target")
    [sub] = _subs(ctx)
    assert not sub.active and sub.target == ""


async def test_an_address_gets_one_confirmation_request_at_a_time(aiohttp_client, ctx, receiver) -> None:
    hook = await receiver()
    client = await _client(aiohttp_client, _local(ctx))
    body = {"channel": "webhook", "target": hook.url, "language": "en", "areas": []}
    assert (await client.post("/api/subscriptions", json=body)).status == 201
    again = await client.post("/api/subscriptions", json={**body, "language": "pt"})
    assert again.status == 409 and (await again.json())["error"].startswith("target")
    assert len(hook.requests) == 1 and len(_subs(ctx)) == 1  # no flood of a third party's URL


async def test_email_double_opt_in(aiohttp_client, ctx, smtp) -> None:
    inbox, port = smtp
    client = await _client(aiohttp_client, _local(ctx, port))
    resp = await client.post("/api/subscriptions", json={
        "channel": "email", "target": "taro@example.jp", "language": "ja-easy", "areas": ["24203"]})
    assert resp.status == 201
    made = await resp.json()
    assert made["status"] == "pending" and "signing_secret" not in made
    [msg] = inbox.messages
    assert msg["To"] == "taro@example.jp" and msg["Content-Language"] == "ja-easy"
    assert "かくにん" in str(make_header(decode_header(msg["Subject"])))
    link = _links(_body(msg))["confirm"]
    assert _subs(ctx)[0].confirmed_at is None
    page = await client.get(link)
    html = await page.text()
    assert page.status == 200 and 'lang="ja"' in html and "とうろくする" in html
    assert _subs(ctx)[0].confirmed_at is None  # opening the link only shows the button
    done = await client.post(link, data={"token": link.rsplit("=", 1)[1]})
    assert done.status == 200 and "とうろく できました" in await done.text()
    assert _subs(ctx)[0].confirmed_at == NOW
    twice = await client.post(link, headers={"Accept": "application/json"})
    assert twice.status == 200  # confirming again is harmless


async def test_unconfirmed_sign_ups_expire(aiohttp_client, ctx, smtp) -> None:
    inbox, port = smtp
    now = [NOW]
    late = dataclasses.replace(_local(ctx, port, confirm_ttl_h=24), clock=lambda: now[0])
    client = await _client(aiohttp_client, late)
    body = {"channel": "email", "target": "hanako@example.jp", "language": "en", "areas": []}
    assert (await client.post("/api/subscriptions", json=body)).status == 201
    link = _links(_body(inbox.messages[0]))["confirm"]
    now[0] = NOW + timedelta(hours=25)
    assert (await client.get(link)).status == 404
    resp = await client.post(link, headers={"Accept": "application/json"})
    assert resp.status == 404 and _subs(ctx)[0].confirmed_at is None
    assert (await client.post("/api/subscriptions", json=body)).status == 201  # may sign up again
    assert len(inbox.messages) == 2


async def test_one_click_unsubscribe_link(aiohttp_client, ctx, receiver) -> None:
    hook = await receiver(echo)
    client = await _client(aiohttp_client, _local(ctx))
    made = await (await client.post("/api/subscriptions", json={
        "channel": "webhook", "target": hook.url, "language": "pt", "areas": []})).json()
    url = urlsplit(hook.json()[0]["unsubscribe_url"])
    link = f"{url.path}?{url.query}"
    page = await client.get(link)
    assert page.status == 200 and "Cancelar inscrição" in await page.text() and _subs(ctx)[0].active
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL, with no cookie and no CSRF token.
    done = await client.post(link, data="List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status == 200 and "Inscrição cancelada" in await done.text()
    [sub] = _subs(ctx)
    assert sub.id == made["id"] and not sub.active and sub.target == ""
    assert (await client.post(link, data="List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})).status == 404


async def test_unsubscribe_with_the_sign_up_token(aiohttp_client, ctx, receiver) -> None:
    hook = await receiver(echo)
    client = await _client(aiohttp_client, _local(ctx))
    made = await (await client.post("/api/subscriptions", json={
        "channel": "webhook", "target": hook.url, "language": "vi", "areas": []})).json()
    sub_id, token = made["id"], made["unsubscribe_token"]
    wrong = await client.delete(f"/api/subscriptions/{sub_id}?token=not-the-token")
    assert wrong.status == 404 and _subs(ctx)[0].active
    assert (await client.delete(f"/api/subscriptions/{sub_id}")).status == 400
    assert (await client.delete(f"/api/subscriptions/{sub_id}?token={token}")).status == 204
    [ended] = _subs(ctx)
    assert not ended.active and ended.target == ""  # the address is forgotten
    assert (await client.delete(f"/api/subscriptions/{sub_id}?token={token}")).status == 404
    for bad in ("abc", "9" * 40):  # a huge id is a 400, never a database overflow
        assert (await client.delete(f"/api/subscriptions/{bad}?token=x")).status == 400
        assert (await client.get(f"/api/subscriptions/{bad}/confirm?token=x")).status == 400


async def test_public_page_form_signs_up_by_email_in_the_page_language(aiohttp_client, ctx, smtp) -> None:
    inbox, port = smtp
    client = await _client(aiohttp_client, _local(ctx, port))
    page = await (await client.get("/public/pt")).text()
    form = page[page.index('<form class="sign-up"'):]
    form = form[:form.index("</form>")]
    assert 'action="/api/subscriptions"' in form and 'value="24201"' in form and "Tsu" in form
    assert '<option value="pt" selected>' in form and 'name="target"' in form
    resp = await client.post("/api/subscriptions", data={
        "lang": "pt", "channel": "email", "target": "maria@example.com", "language": "pt", "area": "24207"})
    text = await resp.text()
    assert resp.status == 201 and "Enviamos um e-mail de confirmação" in text and 'lang="pt"' in text
    [sub] = _subs(ctx)
    assert (sub.language, sub.areas, sub.confirmed_at) == ("pt", ["24207"], None)
    assert "confirme sua inscrição" in str(make_header(decode_header(inbox.messages[0]["Subject"])))
    bad = await client.post("/api/subscriptions", data={
        "lang": "pt", "channel": "email", "target": "not-an-address", "language": "pt", "area": ""})
    assert bad.status == 400 and "Não foi possível inscrever" in await bad.text()


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook", "ftp://93.184.215.14/x", "file:///etc/passwd", "https://93.184.215.14/a b",
])
async def test_webhooks_into_private_networks_are_refused(aiohttp_client, ctx, target) -> None:
    client = await _client(aiohttp_client, ctx)
    resp = await client.post("/api/subscriptions",
                             json={"channel": "webhook", "target": target, "language": "en", "areas": []})
    assert resp.status == 400
    assert "target" in (await resp.json())["error"]
    assert _subs(ctx) == []


async def test_email_sign_up_needs_an_smtp_server_and_a_valid_address(aiohttp_client, ctx, smtp) -> None:
    body = {"channel": "email", "target": "taro@example.jp", "language": "ja-easy", "areas": ["24203"]}
    client = await _client(aiohttp_client, ctx)
    off = await client.post("/api/subscriptions", json=body)
    assert off.status == 400 and "not configured" in (await off.json())["error"]

    client = await _client(aiohttp_client, _local(ctx, smtp[1]))
    assert (await client.post("/api/subscriptions", json=body)).status == 201
    for bad in ("taro", "taro@", "taro@example", "a b@example.jp", "taro@example.jp\nBcc: x@y.jp"):
        resp = await client.post("/api/subscriptions", json={**body, "target": bad})
        assert resp.status == 400, bad
    assert [s.target for s in _subs(ctx)] == ["taro@example.jp"]


async def test_unreachable_smtp_server_is_a_503_and_keeps_nothing(aiohttp_client, ctx) -> None:
    client = await _client(aiohttp_client, _with_delivery(ctx, smtp_host="127.0.0.1", smtp_port=1,
                                                          webhook_timeout_s=2))
    resp = await client.post("/api/subscriptions", json={
        "channel": "email", "target": "taro@example.jp", "language": "en", "areas": []})
    assert resp.status == 503 and (await resp.json())["error"].startswith("channel")
    assert [(s.active, s.target) for s in _subs(ctx)] == [(False, "")]


@pytest.mark.parametrize(("change", "field"), [
    ({"channel": "sms"}, "channel"), ({"language": "fr"}, "language"), ({"areas": ["13101"]}, "areas"),
    ({"areas": ["24999"]}, "areas"), ({"areas": "24201"}, "areas"), ({"areas": [24201]}, "areas"),
    ({"target": None}, "target"), ({"target": ""}, "target"),
])
async def test_bad_fields_get_a_400_naming_them(aiohttp_client, ctx, change, field) -> None:
    client = await _client(aiohttp_client, ctx)
    body = {"channel": "webhook", "target": PUBLIC_HOOK, "language": "en", "areas": [], **change}
    resp = await client.post("/api/subscriptions", json=body)
    assert resp.status == 400
    assert (await resp.json())["error"].startswith(field)


async def test_non_json_bodies_and_no_csrf_needed(aiohttp_client, ctx, receiver) -> None:
    hook = await receiver()
    client = await _client(aiohttp_client, _local(ctx))
    for data in ("not json", "[1, 2]", '{"channel": '):
        resp = await client.post("/api/subscriptions", headers={"Content-Type": "application/json"}, data=data)
        assert resp.status == 400
    assert _subs(ctx) == []
    # The residents' API uses no cookie (an e-mailed link must work), so it needs no CSRF token.
    no_token = await client.post("/api/subscriptions", json={"channel": "webhook", "target": hook.url,
                                                             "language": "en", "areas": []})
    assert no_token.status == 201 and len(_subs(ctx)) == 1


async def test_the_form_offers_e_mail_only_when_it_is_configured(aiohttp_client, ctx) -> None:
    client = await _client(aiohttp_client, ctx)  # no SMTP server configured
    page = await (await client.get("/public/en")).text()
    form = page[page.index('<form class="sign-up"'):]
    form = form[:form.index("</form>")]
    assert 'value="email"' not in form and 'value="webhook" checked' in form
