"""HTTP helpers: SSRF guard, redirects refused, charset fallbacks, Retry-After."""

from __future__ import annotations

import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from bosai.errors import SourceDataError, UnsafeURLError
from collectors.fetch import HTTPStatusUnavailable, check_url, decode_text, fetch, retry_after


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.0.0.5/", "http://[::1]/", "http://169.254.169.254/",
                                 "file:///etc/passwd", "ftp://example.com/", "http:///nohost"])
async def test_private_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        await check_url(url, allow_private=False)


async def test_private_urls_allowed_when_configured() -> None:
    await check_url("http://127.0.0.1:8081/x", allow_private=True)


async def test_redirects_are_not_followed(aiohttp_server, http) -> None:
    app = web.Application()

    async def hop(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data")

    app.router.add_get("/", hop)
    server = await aiohttp_server(app)
    with pytest.raises(HTTPStatusUnavailable, match="302"):
        await fetch(http, str(server.make_url("/")), timeout_s=2, allow_private=True)


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
