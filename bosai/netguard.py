"""Outgoing HTTP that configured or subscribed URLs cannot steer at internal addresses (SSRF).

Checking a URL's addresses and then letting the connector resolve the name again can be fooled by DNS
rebinding: the name answers a public address to the check and 127.0.0.1 to the connection. Sessions made
here resolve once, in the connector, and connect only to the addresses that passed the check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bosai.errors import UnsafeURLError


def is_internal(address: str) -> bool:
    """Loopback, private, link-local, shared (100.64/10), reserved or multicast: not for outside URLs."""
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast or ip.is_reserved


class GuardedResolver(AbstractResolver):
    """Hands the connector only vetted addresses: a name with any internal answer is refused outright."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = ThreadedResolver()  # the system's, as the URL checks use

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """Resolve ``host``; UnsafeURLError, as the URL checks raise, when any answer is internal."""
        answers = await self._inner.resolve(host, port, family)
        if not self.allow_private:
            for answer in answers:
                if is_internal(answer["host"]):
                    raise UnsafeURLError(f"{host!r} resolves to non-public address {answer['host']} "
                                         "when connecting")
        return answers

    async def close(self) -> None:
        """Close the resolver underneath."""
        await self._inner.close()


def guarded_session(*, allow_private: bool, **kwargs: Any) -> aiohttp.ClientSession:
    """A client session (``kwargs`` go to ClientSession) whose connections go only to addresses its resolver
    vetted. IP literals skip resolvers: the callers' URL checks cover them."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=allow_private))
    return aiohttp.ClientSession(connector=connector, **kwargs)


async def vet_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-HTTP(S) URLs and, unless allowed, hosts that resolve to internal addresses (SSRF).

    An early, clear answer for configured and subscribed URLs; the connection itself is guarded by
    guarded_session, since a name may answer differently by then (DNS rebinding). Raises UnsafeURLError,
    or OSError when the name does not resolve (callers say what that means for them).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURLError(f"only http(s) URLs with a host are allowed: {url!r}")
    if allow_private:
        return
    infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    for info in infos:
        address = str(info[4][0])
        if is_internal(address):
            raise UnsafeURLError(f"{url!r} resolves to non-public address {address} (set allow_private)")
