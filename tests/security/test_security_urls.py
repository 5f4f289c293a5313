"""Subscribed and configured URLs are parsed once, by the parser the HTTP client uses: malformed ones get a
400 before any lookup, one the parsers read differently is refused, and IPv6 forms of internal addresses
(6to4, site-local, NAT64, IPv4-mapped) count as internal (issue 17 §4)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlalchemy import select
from web_factories import make_ctx

from bosai.web.app import create_app
from kernel.errors import MalformedURLError, UnsafeURLError
from kernel.netguard import guarded_session, is_internal, parse_url, vet_url
from kernel.store.models import Subscription

MALFORMED = ["http://" + "a" * 64 + ".example.com/hook", "http://a..b/hook", "http://[::1/hook",
             "http://example.com:99999/hook", "http://127.0.0.1\\@8.8.8.8/", "http://user:pw@example.com/hook",
             "http://2130706433/hook", "http://example.com:0/hook", "http://ex_ample!.com/hook"]


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name passed to getaddrinfo (answered as the system would)."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def record(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", record)
    return seen


@pytest.mark.parametrize("url", MALFORMED)
async def test_malformed_subscription_urls_are_a_400_before_any_lookup(aiohttp_client, sqlite_store, tmp_path, lookups,
                                                                      url) -> None:
    client = await aiohttp_client(create_app(make_ctx(sqlite_store, tmp_path)))
    resp = await client.post("/api/subscriptions",
                             json={"channel": "webhook", "target": url, "language": "en", "areas": []})
    assert resp.status == 400
    assert (await resp.json())["error"].startswith("target: not a valid webhook URL")
    assert lookups == []
    with sqlite_store.session() as s:
        assert list(s.scalars(select(Subscription))) == []


@pytest.mark.parametrize("address", ["2002:7f00:1::1", "2002:808:808::1", "fec0::1", "feff::1",
                                     "64:ff9b::7f00:1", "64:ff9b::a00:1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                                     "64:ff9b:1::808:808", "::127.0.0.1"])
def test_ipv6_forms_of_internal_addresses_are_internal(address: str) -> None:
    assert is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"])
def test_public_addresses_stay_public_in_every_form(address: str) -> None:
    assert not is_internal(address)


@pytest.mark.parametrize("host", ["[2002:7f00:1::1]", "[fec0::1]", "[64:ff9b::7f00:1]", "[::ffff:7f00:1]"])
async def test_subscriptions_to_internal_ipv6_forms_are_refused(aiohttp_client, sqlite_store, tmp_path, host) -> None:
    client = await aiohttp_client(create_app(make_ctx(sqlite_store, tmp_path)))
    resp = await client.post("/api/subscriptions", json={"channel": "webhook", "target": f"http://{host}/hook",
                                                         "language": "en", "areas": []})
    assert resp.status == 400 and "public address" in (await resp.json())["error"]


async def test_the_checked_url_is_the_one_connected_to() -> None:
    checked = await vet_url("https://93.184.215.14:8443/a/b?x=1", allow_private=False)
    assert (checked.raw_host, checked.port, checked.path_qs) == ("93.184.215.14", 8443, "/a/b?x=1")
    assert str(parse_url(checked)) == str(checked)  # the client reads it back the same
    with pytest.raises(MalformedURLError):
        await vet_url("http://127.0.0.1\\@93.184.215.14/", allow_private=True)  # even where private is allowed


async def test_guarded_sessions_refuse_internal_ip_literals_when_connecting(listener) -> None:
    port, accepted = listener
    async with guarded_session(allow_private=False) as http:  # no URL check before: the session's own
        for host in ("127.0.0.1", "[::ffff:127.0.0.1]"):
            with pytest.raises(UnsafeURLError):
                await http.get(f"http://{host}:{port}/")
    assert accepted() == 0
