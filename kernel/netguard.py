"""Outgoing HTTP that configured or subscribed URLs cannot steer at internal addresses (SSRF).

URLs are parsed once, by yarl, the parser aiohttp itself uses, and the parsed URL is what callers connect
to: a URL that two parsers read differently (``http://127.0.0.1\\@8.8.8.8/``: urllib sees 8.8.8.8, a browser
127.0.0.1) is refused rather than guessed at. Checking a URL's addresses and then letting the connector
resolve the name again can be fooled by DNS rebinding: the name answers a public address to the check and
127.0.0.1 to the connection. Sessions made here resolve once, in the connector, connect only to the
addresses that passed the check, and check IP literals again before each request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from types import SimpleNamespace
from typing import Any, Final

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from kernel.errors import MalformedURLError, UnsafeURLError

MAX_HOST: Final = 253  # RFC 1035, without the trailing dot
MAX_LABEL: Final = 63
LABEL: Final = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?", re.ASCII)  # after IDNA; '_' as resolvers allow
SIX_TO_FOUR: Final = ipaddress.ip_network("2002::/16")  # 6to4 (RFC 3056, deprecated by RFC 7526): relays
SITE_LOCAL: Final = ipaddress.ip_network("fec0::/10")  # deprecated (RFC 3879), still routed inside some sites
NAT64: Final = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64 prefix: the IPv4 address is the last 32 bits


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d)
    or 6to4 (2002:AABB:CCDD::)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_internal(address: str) -> bool:
    """Loopback, private, link-local, site-local, shared (100.64/10), 6to4, reserved or multicast: not for
    outside URLs. An IPv6 address standing for an IPv4 one (mapped, NAT64) is judged by that IPv4 address;
    6to4 always counts as internal, since its relays forward to whatever IPv4 address it embeds."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in SIX_TO_FOUR or ip in SITE_LOCAL:
            return True
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_internal(str(inner))
    return not ip.is_global or ip.is_multicast or ip.is_reserved


def _check_host(host: str) -> None:
    """Refuse a host name no resolver should be asked about: empty or over-long labels, odd characters, or a
    last label of digits (``2130706433``, ``0x7f.1``: IPv4 in disguise, read differently by each parser)."""
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > MAX_HOST:
        raise MalformedURLError(f"host name longer than {MAX_HOST} characters or empty")
    labels = name.split(".")
    for label in labels:
        if not label:
            raise MalformedURLError("host name with an empty label (two dots in a row)")
        if len(label) > MAX_LABEL:
            raise MalformedURLError(f"host name label longer than {MAX_LABEL} characters")
        if not LABEL.fullmatch(label):
            raise MalformedURLError("host name with characters other than letters, digits, '-' and '_'")
    last = labels[-1]
    if last.isdigit() or last.startswith("0x"):
        raise MalformedURLError("host is neither a dotted IPv4 address nor a name")


def parse_url(url: str | URL) -> URL:
    """The URL as the HTTP client will read it, or MalformedURLError (an UnsafeURLError) saying what is wrong.

    Only ``http``/``https`` with a host, no user name or password, no backslash, a port in 1..65535 and a host
    that is an IP literal or a well-formed DNS name. Connect to the returned URL, not to the string.
    """
    if isinstance(url, str):
        if "\\" in url:
            raise MalformedURLError("backslash in URL (parsers disagree on where the host ends)")
        if any(ord(c) < 33 or ord(c) == 127 for c in url):
            raise MalformedURLError("URL contains spaces or control characters")
        try:
            parsed = URL(url)
        except (ValueError, UnicodeError) as err:
            raise MalformedURLError(f"not a valid URL: {err}") from err
    else:
        parsed = url
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise UnsafeURLError(f"only http(s) URLs with a host are allowed: {str(parsed)[:200]!r}")
    if parsed.raw_user is not None or parsed.raw_password is not None or "@" in (parsed.raw_authority or ""):
        raise MalformedURLError("user name or password in URL")
    try:
        port = parsed.port
    except ValueError as err:
        raise MalformedURLError(f"bad port: {err}") from err
    if port is not None and not 0 < port < 65536:
        raise MalformedURLError("port outside 1..65535")
    host = parsed.raw_host
    if not _ip_literal(host):
        _check_host(host)
    return parsed


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


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


def _literal_guard(allow_private: bool) -> aiohttp.TraceConfig:
    """Checks each request's URL as the client parsed it: IP literals never reach a resolver."""

    async def check(_session: aiohttp.ClientSession, _context: SimpleNamespace, params: Any) -> None:
        url = parse_url(params.url)
        if not allow_private and _ip_literal(url.raw_host or "") and is_internal(url.raw_host or ""):
            raise UnsafeURLError(f"{url.raw_host} is a non-public address when connecting")

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(check)
    trace.on_request_redirect.append(check)
    return trace


def guarded_session(*, allow_private: bool, **kwargs: Any) -> aiohttp.ClientSession:
    """A client session (``kwargs`` go to ClientSession) whose connections go only to addresses it vetted:
    names through its resolver, IP literals before each request."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=allow_private))
    traces = [*(kwargs.pop("trace_configs", None) or []), _literal_guard(allow_private)]
    return aiohttp.ClientSession(connector=connector, trace_configs=traces, **kwargs)


async def vet_url(url: str | URL, *, allow_private: bool) -> URL:
    """The parsed URL (connect to this, not the string), once it is well formed, HTTP(S) and, unless allowed,
    every address of its host is public (SSRF).

    An early, clear answer for configured and subscribed URLs; the connection itself is guarded by
    guarded_session, since a name may answer differently by then (DNS rebinding). Raises MalformedURLError or
    UnsafeURLError, or OSError when the name does not resolve (callers say what that means for them).
    """
    parsed = parse_url(url)
    if allow_private:
        return parsed
    host = parsed.raw_host or ""
    if _ip_literal(host):
        addresses = [host]
    else:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parsed.port or 443, type=socket.SOCK_STREAM)
        addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if is_internal(address):
            raise UnsafeURLError(f"{str(parsed)[:200]!r} resolves to non-public address {address} "
                                 "(set allow_private)")
    return parsed
