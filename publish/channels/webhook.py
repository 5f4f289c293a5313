"""Webhook channel: POST the alert as JSON to the subscriber's URL."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import aiohttp

from bosai.errors import DeliveryError, UnsafeURLError
from bosai.netguard import guarded_session, vet_url
from publish.channels import Target
from publish.messages import RenderedAlert


async def check_url(url: str, *, allow_private: bool) -> None:
    """bosai.netguard.vet_url for a subscriber's URL, used at sign-up and before each delivery."""
    try:
        await vet_url(url, allow_private=allow_private)
    except OSError as err:
        raise DeliveryError(f"cannot resolve {urlsplit(url).hostname}: {err}") from err


class WebhookChannel:
    """POSTs ``{"alert_id", "lang", "headline", ...}`` (the rendered alert) as JSON; 2xx means delivered."""

    name = "webhook"

    def __init__(self, *, timeout_s: float = 10.0, allow_private: bool = False) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.allow_private = allow_private

    async def deliver(self, rendered: RenderedAlert, subscription: Target) -> None:
        """Send one alert; raise DeliveryError on refusal, network error or a non-2xx answer."""
        try:
            await check_url(subscription.target, allow_private=self.allow_private)
            body = dataclasses.asdict(rendered)
            async with (guarded_session(allow_private=self.allow_private, timeout=self.timeout) as session,
                        session.post(subscription.target, json=body, allow_redirects=False) as resp):
                if not 200 <= resp.status < 300:
                    raise DeliveryError(f"webhook answered HTTP {resp.status}")
        except UnsafeURLError as err:  # from the check, or from the session's resolver (DNS rebinding)
            raise DeliveryError(str(err)) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DeliveryError(f"webhook failed: {err.__class__.__name__}: {err}") from err
