"""Webhook channel: POST the alert as signed JSON to the subscriber's URL.

A new webhook is confirmed like an e-mail address before any alert goes to it: the first post is a
confirmation request whose challenge the receiver echoes (or whose ``confirm_url`` a person opens), so the
service cannot be used to flood a URL whose owner never asked for it.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from kernel.errors import DeliveryError, UnsafeURLError
from kernel.netguard import guarded_session, parse_url, vet_url
from publish.channels import Target
from publish.channels.links import SIGNATURE_HEADER, TIMESTAMP_HEADER, link_token, link_url, sign
from publish.messages import RenderedAlert

MAX_ANSWER = 4096  # bytes of a receiver's answer read when looking for the echoed challenge


async def check_url(url: str | URL, *, allow_private: bool) -> URL:
    """kernel.netguard.vet_url for a subscriber's URL, used at sign-up and before each delivery: the parsed URL
    to connect to."""
    try:
        return await vet_url(url, allow_private=allow_private)
    except OSError as err:
        raise DeliveryError(f"cannot resolve {urlsplit(str(url)).hostname}: {err}") from err


def echoed(answer: bytes, challenge: str) -> bool:
    """Whether a receiver's answer echoes the challenge: ``{"challenge": "..."}`` or the bare challenge."""
    text = answer.decode("utf-8", "replace").strip()
    if text == challenge:
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("challenge") == challenge


class WebhookChannel:
    """POSTs ``{"type": "alert", "alert_id", "lang", "headline", ..., "unsubscribe_url"}``; 2xx means delivered.

    Posts are signed with the subscription's key (``X-Bosai-Signature: sha256=HMAC(key, timestamp + "." +
    body)``, ``X-Bosai-Timestamp``), the scheme the service's own webhook source checks.
    """

    name = "webhook"

    def __init__(self, *, timeout_s: float = 10.0, allow_private: bool = False, base_url: str = "") -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.allow_private = allow_private
        self.base_url = base_url

    def _links(self, subscription: Target) -> dict[str, str]:
        if not subscription.secret or not urlsplit(self.base_url).scheme:
            return {}
        return {"unsubscribe_url": link_url(self.base_url, "unsubscribe", subscription.subscription_id,
                                            subscription.secret)}

    async def _check(self, url: str) -> URL:
        try:
            return await check_url(url, allow_private=self.allow_private)
        except UnsafeURLError as err:
            raise DeliveryError(str(err)) from err

    async def post(self, subscription: Target, payload: dict[str, Any], *, checked: bool = False) -> bytes:
        """POST signed JSON; return the start of a 2xx answer, or raise DeliveryError.

        The URL is vetted first unless the caller just did (``checked``); the session's resolver vets it again
        on connecting, so a name rebound to an internal address in between is still refused.
        """
        target = await self._check(subscription.target) if not checked else parse_url(subscription.target)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if subscription.secret:
            ts = str(int(time.time()))
            headers |= {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(subscription.secret, ts, body)}
        try:
            async with (guarded_session(allow_private=self.allow_private, timeout=self.timeout) as session,
                        session.post(target, data=body, headers=headers,
                                     allow_redirects=False) as resp):
                if not 200 <= resp.status < 300:
                    raise DeliveryError(f"webhook answered HTTP {resp.status}")
                return await resp.content.read(MAX_ANSWER)
        except UnsafeURLError as err:  # from the session's resolver or literal guard (DNS rebinding)
            raise DeliveryError(str(err)) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DeliveryError(f"webhook failed: {err.__class__.__name__}: {err}") from err

    async def deliver(self, rendered: RenderedAlert, subscription: Target) -> None:
        """Send one alert; raise DeliveryError on refusal, network error or a non-2xx answer."""
        await self._check(subscription.target)  # before anything is rendered for it
        payload = {"type": "alert", **dataclasses.asdict(rendered), "subscription_id": subscription.subscription_id,
                   **self._links(subscription)}
        await self.post(subscription, payload, checked=True)

    async def request_confirmation(self, subscription: Target, *, hours: int) -> bool:
        """POST the confirmation request; True when the receiver echoed its challenge (confirmed at once)."""
        sub_id, secret = subscription.subscription_id, subscription.secret
        challenge = link_token(secret, "confirm", sub_id)
        payload = {"type": "subscription_confirmation", "subscription_id": sub_id, "language": subscription.language,
                   "challenge": challenge, "confirm_url": link_url(self.base_url, "confirm", sub_id, secret),
                   "expires_in_hours": hours, **self._links(subscription),
                   "message": "Echo the challenge ({\"challenge\": ...}) or open confirm_url to receive alerts; "
                              "ignore this to receive nothing."}
        return echoed(await self.post(subscription, payload), challenge)
