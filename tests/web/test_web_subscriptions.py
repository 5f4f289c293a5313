"""Resident subscriptions over HTTP: sign-up validation, SSRF refusal, hashed tokens, unsubscribe."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from sqlalchemy import select

from bosai.config import DeliveryConfig
from bosai.context import ServiceContext
from bosai.store.models import Subscription
from bosai.web.app import create_app

PUBLIC_HOOK = "https://93.184.215.14/alerts"  # an IP literal: no DNS needed to check it


def _with_delivery(ctx: ServiceContext, **delivery) -> ServiceContext:
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"delivery": DeliveryConfig(**delivery)}))


async def _client(aiohttp_client, ctx: ServiceContext):
    client = await aiohttp_client(create_app(ctx))
    csrf = (await (await client.get("/api/session")).json())["csrf"]
    return client, {"X-CSRF-Token": csrf}


def _subs(ctx: ServiceContext) -> list[Subscription]:
    with ctx.store.session() as s:
        return list(s.scalars(select(Subscription).order_by(Subscription.id)))


async def test_webhook_sign_up_and_unsubscribe(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    resp = await client.post("/api/subscriptions", headers=csrf, json={
        "channel": "webhook", "target": PUBLIC_HOOK, "language": "vi", "areas": ["24202", "24201", "24202"]})
    assert resp.status == 201
    made = await resp.json()
    assert made["areas"] == ["24201", "24202"] and made["language"] == "vi"
    token = made["unsubscribe_token"]
    [sub] = _subs(ctx)
    assert sub.id == made["id"] and sub.active and sub.target == PUBLIC_HOOK
    assert sub.unsubscribe_token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept

    wrong = await client.delete(f"/api/subscriptions/{sub.id}?token=not-the-token", headers=csrf)
    assert wrong.status == 404 and _subs(ctx)[0].active
    missing = await client.delete(f"/api/subscriptions/{sub.id}", headers=csrf)
    assert missing.status == 400
    ok = await client.delete(f"/api/subscriptions/{sub.id}?token={token}", headers=csrf)
    assert ok.status == 204
    [ended] = _subs(ctx)
    assert not ended.active and ended.target == ""  # the address is forgotten
    again = await client.delete(f"/api/subscriptions/{sub.id}?token={token}", headers=csrf)
    assert again.status == 404


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook", "ftp://93.184.215.14/x", "file:///etc/passwd", "https://93.184.215.14/a b",
])
async def test_webhooks_into_private_networks_are_refused(aiohttp_client, ctx, target) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    resp = await client.post("/api/subscriptions", headers=csrf,
                             json={"channel": "webhook", "target": target, "language": "en", "areas": []})
    assert resp.status == 400
    assert "target" in (await resp.json())["error"]
    assert _subs(ctx) == []


async def test_private_webhooks_when_allowed(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, _with_delivery(ctx, allow_private_webhooks=True))
    resp = await client.post("/api/subscriptions", headers=csrf, json={
        "channel": "webhook", "target": "http://127.0.0.1:9/hook", "language": "en", "areas": []})
    assert resp.status == 201


async def test_email_sign_up_needs_an_smtp_server_and_a_valid_address(aiohttp_client, ctx) -> None:
    body = {"channel": "email", "target": "taro@example.jp", "language": "ja-easy", "areas": ["24203"]}
    client, csrf = await _client(aiohttp_client, ctx)
    off = await client.post("/api/subscriptions", headers=csrf, json=body)
    assert off.status == 400 and "not configured" in (await off.json())["error"]

    client, csrf = await _client(aiohttp_client, _with_delivery(ctx, smtp_host="smtp.example.jp"))
    assert (await client.post("/api/subscriptions", headers=csrf, json=body)).status == 201
    for bad in ("taro", "taro@", "taro@example", "a b@example.jp", "taro@example.jp\nBcc: x@y.jp"):
        resp = await client.post("/api/subscriptions", headers=csrf, json={**body, "target": bad})
        assert resp.status == 400, bad
    assert [s.target for s in _subs(ctx)] == ["taro@example.jp"]


@pytest.mark.parametrize(("change", "field"), [
    ({"channel": "sms"}, "channel"), ({"language": "fr"}, "language"), ({"areas": ["13101"]}, "areas"),
    ({"areas": ["24999"]}, "areas"), ({"areas": "24201"}, "areas"), ({"areas": [24201]}, "areas"),
    ({"target": None}, "target"), ({"target": ""}, "target"),
])
async def test_bad_fields_get_a_400_naming_them(aiohttp_client, ctx, change, field) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    body = {"channel": "webhook", "target": PUBLIC_HOOK, "language": "en", "areas": [], **change}
    resp = await client.post("/api/subscriptions", headers=csrf, json=body)
    assert resp.status == 400
    assert (await resp.json())["error"].startswith(field)


async def test_non_json_bodies_and_no_csrf_needed(aiohttp_client, ctx) -> None:
    client, csrf = await _client(aiohttp_client, ctx)
    for data in ("not json", "[1, 2]", '{"channel": '):
        resp = await client.post("/api/subscriptions", headers={**csrf, "Content-Type": "application/json"},
                                 data=data)
        assert resp.status == 400
    assert _subs(ctx) == []
    # The residents' API uses no cookie (an e-mailed unsubscribe link must work), so it needs no CSRF token.
    no_token = await client.post("/api/subscriptions", json={"channel": "webhook", "target": PUBLIC_HOOK,
                                                             "language": "en", "areas": []})
    assert no_token.status == 201 and len(_subs(ctx)) == 1
    bad_id = await client.delete("/api/subscriptions/abc?token=x", headers=csrf)
    assert bad_id.status == 400
