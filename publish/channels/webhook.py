"""Webhook channel: POST the alert as JSON to the subscriber's URL."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from urllib.parse import urlsplit

import aiohttp

from bosai.errors import DeliveryError, UnsafeURLError
from publish.channels import Target
from publish.messages import RenderedAlert


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-HTTP(S) URLs and, unless allowed, hosts on loopback/private/link-local addresses (SSRF)."""
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
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global or ip.is_multicast or ip.is_reserved:  # is_global also excludes 100.64.0.0/10
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
        except UnsafeURLError as err:
            raise DeliveryError(str(err)) from err
        body = dataclasses.asdict(rendered)
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session, session.post(
                subscription.target, json=body, allow_redirects=False
            ) as resp:
                if not 200 <= resp.status < 300:
                    raise DeliveryError(f"webhook answered HTTP {resp.status}")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DeliveryError(f"webhook failed: {err.__class__.__name__}: {err}") from err
