"""Residents' alert subscriptions: sign up for a webhook or e-mail in one language, and unsubscribe by token.

The unsubscribe token is shown once and stored only as its SHA-256 hash. Webhook URLs pointing into
private networks are refused (SSRF) unless ``delivery.allow_private_webhooks`` is set.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Any, Final

from aiohttp import web

from bosai.config import AppConfig
from bosai.errors import DeliveryError, UnsafeURLError
from bosai.store.models import Subscription
from bosai.web.api import languages
from bosai.web.keys import CTX
from bosai.web.params import bad_request
from publish import areas as mie
from publish.channels.webhook import check_url
from publish.delivery import subscribe

log = logging.getLogger(__name__)

MIE_MUNICIPALITIES: Final = mie.municipalities(mie.PREFECTURE_AREA)
EMAIL: Final = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                          r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
MAX_EMAIL: Final = 254
MAX_URL: Final = 2048


def token_hash(token: str) -> str:
    """The stored form of an unsubscribe token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def _target(channel: str, target: Any, config: AppConfig) -> str:
    """The checked webhook URL or e-mail address, or a 400 saying what is wrong with it."""
    if not isinstance(target, str) or not target.strip():
        raise bad_request("target: expected a webhook URL or an e-mail address")
    target = target.strip()
    if channel == "email":
        if not config.delivery.smtp_host:
            raise bad_request("channel: e-mail delivery is not configured on this server; use a webhook")
        if len(target) > MAX_EMAIL or not EMAIL.fullmatch(target):
            raise bad_request("target: not a valid e-mail address")
        return target
    if len(target) > MAX_URL:
        raise bad_request(f"target: URL longer than {MAX_URL} characters")
    if any(ord(c) < 33 or ord(c) == 127 for c in target):
        raise bad_request("target: URL contains spaces or control characters")
    try:
        await check_url(target, allow_private=config.delivery.allow_private_webhooks)
    except UnsafeURLError as err:
        raise bad_request("target: webhook URL must be http(s) and reach a public address") from err
    except DeliveryError as err:
        raise bad_request("target: webhook host cannot be resolved") from err
    return target


def _areas(value: Any) -> list[str]:
    """Municipality codes of Mie (5-digit JIS), de-duplicated; empty means the whole prefecture."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise bad_request("areas: expected a list of 5-digit municipality codes (strings)")
    unknown = [a for a in value if a not in MIE_MUNICIPALITIES]
    if unknown:
        raise bad_request("areas: not a municipality code of Mie: " + ", ".join(a[:8] for a in unknown[:5]))
    return sorted(set(value))


async def create(request: web.Request) -> web.Response:
    """POST /api/subscriptions {channel, target, language, areas}: 201 with id and unsubscribe token."""
    ctx = request.app[CTX]
    try:
        data = await request.json()
    except (ValueError, RecursionError) as err:
        raise bad_request("body: expected a JSON object") from err
    if not isinstance(data, dict):
        raise bad_request("body: expected a JSON object")
    channel = data.get("channel")
    if channel not in ("webhook", "email"):
        raise bad_request("channel: expected webhook or email")
    language = data.get("language")
    if language not in languages(ctx):
        raise bad_request("language: expected one of " + ", ".join(languages(ctx)))
    areas = _areas(data.get("areas"))
    target = await _target(channel, data.get("target"), ctx.config)
    token = secrets.token_urlsafe(32)
    now = ctx.clock()

    def add(session: Any) -> int:
        sub = subscribe(session, channel=channel, target=target, language=language, areas=areas, now=now)
        sub.unsubscribe_token_hash = token_hash(token)
        session.flush()
        return sub.id

    sub_id = await ctx.store.write(add)
    log.info("subscription_created id=%d channel=%s language=%s areas=%d", sub_id, channel, language, len(areas))
    return web.json_response({"id": sub_id, "unsubscribe_token": token, "channel": channel, "language": language,
                              "areas": areas}, status=201)


async def delete(request: web.Request) -> web.Response:
    """DELETE /api/subscriptions/{id}?token=...: end the subscription and forget its address."""
    ctx = request.app[CTX]
    try:
        sub_id = int(request.match_info["sub_id"])
    except ValueError as err:
        raise bad_request("id: expected an integer") from err
    token = request.query.get("token", "")
    if not token or len(token) > 128:
        raise bad_request("token: the unsubscribe token given at sign-up is required")

    def end(session: Any) -> bool:
        sub = session.get(Subscription, sub_id)
        if sub is None or not sub.active or not sub.unsubscribe_token_hash:
            return False
        if not hmac.compare_digest(sub.unsubscribe_token_hash, token_hash(token)):
            return False
        sub.active, sub.target = False, ""  # deliveries keep their row; the address is erased
        session.flush()
        return True

    if not await ctx.store.write(end):
        raise web.HTTPNotFound(text='{"error": "no active subscription with this id and token"}',
                               content_type="application/json")
    log.info("subscription_ended id=%d", sub_id)
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    """Mount the subscription endpoints."""
    app.router.add_post("/api/subscriptions", create)
    app.router.add_delete(r"/api/subscriptions/{sub_id}", delete)
