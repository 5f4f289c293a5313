"""HTTP helpers: SSRF guard, redirects refused, charset fallbacks, Retry-After."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from collectors.fetch import HTTPStatusUnavailable, check_url, decode_text, fetch, retry_after
from kernel.errors import SourceDataError, UnsafeURLError
from kernel.netguard import guarded_session


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.0.0.5/", "http://[::1]/", "http://169.254.169.254/",
                                 "file:///etc/passwd", "ftp://example.com/", "http:///nohost"])
async def test_private_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        await check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8081/x", "http://10.0.0.5/", "http://[::1]/"])
async def test_private_urls_allowed_when_configured(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="non-public address"):
        await check_url(url, allow_private=False)
    assert await check_url(url, allow_private=True) is None  # the same URL passes once allowed


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "http:///nohost"])
async def test_allow_private_does_not_allow_odd_schemes(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="only http"):
        await check_url(url, allow_private=True)


async def test_redirects_are_not_followed(aiohttp_server, http) -> None:
    app = web.Application()

    async def hop(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data")

    app.router.add_get("/", hop)
    server = await aiohttp_server(app)
    with pytest.raises(HTTPStatusUnavailable, match="302"):
        await fetch(http, str(server.make_url("/")), timeout_s=2, allow_private=True)


async def _counting_server(aiohttp_server: Any) -> tuple[int, list[str]]:
    """A local server answering "ok"; returns its port and the paths it was asked for."""
    hits: list[str] = []

    async def ok(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/{tail:.*}", ok)
    server = await aiohttp_server(app)
    return server.port, hits


async def test_dns_rebinding_cannot_reach_internal_addresses(aiohttp_server, rebinding_dns) -> None:
    port, hits = await _counting_server(aiohttp_server)
    url = f"http://{rebinding_dns.host}:{port}/secret"
    async with guarded_session(allow_private=False) as http:
        with pytest.raises(UnsafeURLError, match=r"non-public address 127\.0\.0\.1"):
            await fetch(http, url, timeout_s=2, allow_private=False)
    assert rebinding_dns.answers == ["93.184.216.34", "127.0.0.1"]  # the check saw a public address
    assert hits == []


async def test_allowed_internal_addresses_still_reachable(aiohttp_server, rebinding_dns) -> None:
    port, hits = await _counting_server(aiohttp_server)
    rebinding_dns.answers.append("93.184.216.34")  # already rebound: the name answers 127.0.0.1
    async with guarded_session(allow_private=True) as http:
        resp = await fetch(http, f"http://{rebinding_dns.host}:{port}/gauges", timeout_s=2, allow_private=True)
    assert (resp.status, resp.body, hits) == (200, b"ok", ["/gauges"])


def test_decode_text_fallbacks() -> None:
    assert decode_text("氾濫".encode("cp932"), None) == "氾濫"
    assert decode_text("氾濫".encode("euc_jp"), "euc-jp") == "氾濫"
    assert decode_text("氾濫".encode(), "bogus-charset") == "氾濫"
    with pytest.raises(SourceDataError):
        decode_text(b"\x81\x20\x81\x20", None)


def test_retry_after() -> None:
    def headers(value: str) -> CIMultiDictProxy:
        return CIMultiDictProxy(CIMultiDict({"Retry-After": value}))

    assert retry_after(headers("120")) == 120.0
    assert retry_after(headers("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0
    assert retry_after(CIMultiDictProxy(CIMultiDict())) is None
