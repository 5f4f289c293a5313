"""Webhook channel: POST the alert as JSON to the subscriber's URL."""

from __future__ import annotations

import dataclasses
import socket
from urllib.parse import urlsplit

import aiohttp

from bosai.errors import DeliveryError, UnsafeURLError
from bosai.netguard import guarded_session, is_internal
from publish.channels import Target
from publish.messages import RenderedAlert


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-HTTP(S) URLs and, unless allowed, hosts on loopback/private/link-local addresses (SSRF).

    Sign-up and delivery use it for a clear early answer; the POST itself only connects to addresses its
    session vetted (bosai.netguard), since the name may answer differently by then (DNS rebinding).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURLError(f"webhook URL must be http(s) with a host: {url!r}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as err:
        raise DeliveryError(f"cannot resolve {parts.hostname}: {err}") from err
    for info in infos:
        ip = str(info[4][0])
        if is_internal(ip):
            raise UnsafeURLError(f"webhook host {parts.hostname} resolves to a non-public address {ip}")


class WebhookChannel:
    """POSTs ``{"alert_id", "lang", "headline", ...}`` (the rendered alert) as JSON; 2xx means delivered."""

    name = "webhook"

    def __init__(self, *, timeout_s: float = 10.0, allow_private: bool = False) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.allow_private = allow_private

    async def deliver(self, rendered: RenderedAlert, subscription: Target) -> None:
        """Send one alert; raise DeliveryError on refusal, network error or a non-2xx answer."""
        try:
            check_url(subscription.target, allow_private=self.allow_private)
            body = dataclasses.asdict(rendered)
            async with (guarded_session(allow_private=self.allow_private, timeout=self.timeout) as session,
                        session.post(subscription.target, json=body, allow_redirects=False) as resp):
                if not 200 <= resp.status < 300:
                    raise DeliveryError(f"webhook answered HTTP {resp.status}")
        except UnsafeURLError as err:  # from the check, or from the session's resolver (DNS rebinding)
            raise DeliveryError(str(err)) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DeliveryError(f"webhook failed: {err.__class__.__name__}: {err}") from err
