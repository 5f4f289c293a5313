"""Configured URLs pointing at internal addresses (SSRF): every collector kind and the alert webhook channel
refuse them unless ``allow_private`` is set, and nothing connects, even when the name is rebound to an
internal address between the check and the connection (DNS rebinding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collectors.fetch import check_url
from collectors.registry import build_collectors
from kernel.errors import DeliveryError, UnsafeURLError
from kernel.netguard import guarded_session
from publish.channels import Target
from publish.channels.webhook import WebhookChannel
from publish.channels.webhook import check_url as check_webhook_url

INTERNAL_HOSTS = ["127.0.0.1", "127.1.2.3", "10.0.0.7", "172.16.5.4", "192.168.1.1", "169.254.169.254", "[::1]",
                  "[::ffff:127.0.0.1]", "[fe80::1]", "0.0.0.0", "localhost", "100.64.0.1"]
TOKEN_ENV = "BOSAI_SECURITY_SSRF_TOKEN"


def _blocks(base: str) -> list[dict[str, Any]]:
    thresholds = {"standby": 1.0, "caution": 2.0, "evacuation_judgement": 3.0, "danger": 4.0}
    return [
        {"kind": "jma_feed", "name": "jma", "url": f"{base}/jma/feed/extra.xml"},
        {"kind": "river_gauge", "name": "river", "url": f"{base}/river/readings.json",
         "gauges": [{"id": "g1", "name": "高岡", "river": "雲出川", "lat": 34.6, "lng": 136.4,
                     "thresholds_m": thresholds}]},
        {"kind": "camera", "name": "cams", "cameras": [{"id": "c1", "name": "カメラ", "lat": 34.6, "lng": 136.5,
                                                        "url": f"{base}/cameras/c1.jpg"}]},
        {"kind": "x_stream", "name": "x", "base_url": base, "token_env": TOKEN_ENV},
        {"kind": "mastodon_stream", "name": "m", "base_url": base},
    ]


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
async def test_fetch_guard_refuses_internal_hosts(host: str) -> None:
    with pytest.raises(UnsafeURLError):
        await check_url(f"http://{host}:8080/feed.xml", allow_private=False)


async def test_every_collector_kind_refuses_internal_urls(listener, tmp_path: Path, monkeypatch) -> None:
    port, accepted = listener
    monkeypatch.setenv(TOKEN_ENV, "token")
    async with guarded_session(allow_private=False) as http:
        for host in ("127.0.0.1", "localhost"):
            for collector in build_collectors(_blocks(f"http://{host}:{port}"), http, tmp_path):
                with pytest.raises(UnsafeURLError, match="non-public"):
                    async for _ in collector.records():
                        pass
    assert accepted() == 0


async def test_every_collector_kind_refuses_a_name_rebound_to_an_internal_address(
        listener, tmp_path: Path, monkeypatch, rebinding_dns) -> None:
    port, accepted = listener
    monkeypatch.setenv(TOKEN_ENV, "token")
    async with guarded_session(allow_private=False) as http:  # as the service builds them
        for collector in build_collectors(_blocks(f"http://{rebinding_dns.host}:{port}"), http, tmp_path):
            with pytest.raises(UnsafeURLError, match=r"non-public address 127\.0\.0\.1"):
                async for _ in collector.records():
                    pass
    assert rebinding_dns.answers[::2] == ["93.184.216.34"] * 5  # each URL check saw a public address
    assert accepted() == 0


async def test_allow_private_lets_the_same_urls_through(listener, tmp_path: Path, rebinding_dns) -> None:
    port, accepted = listener
    rebinding_dns.answers.append("93.184.216.34")  # already rebound: the name answers 127.0.0.1
    async with guarded_session(allow_private=False) as http, guarded_session(allow_private=True) as private:
        for host in ("127.0.0.1", rebinding_dns.host):
            [jma] = build_collectors([{**_blocks(f"http://{host}:{port}")[0], "allow_private": True,
                                       "timeout_s": 0.3}], http, tmp_path, private_http=private)
            with pytest.raises(Exception, match=r"timeout|cannot fetch"):
                async for _ in jma.records():
                    pass
    assert accepted() == 2  # it did connect: the guard, not the network, stopped the others


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
async def test_alert_webhook_channel_refuses_internal_hosts(host: str) -> None:
    url = f"http://{host}:9/hook"
    with pytest.raises(UnsafeURLError):
        await check_webhook_url(url, allow_private=False)
    await check_webhook_url(url, allow_private=True)
    target = Target(subscription_id=1, channel="webhook", target=url, language="ja")
    with pytest.raises(DeliveryError, match=r"non-public|must be"):
        await WebhookChannel(timeout_s=0.5).deliver(None, target)  # type: ignore[arg-type]
