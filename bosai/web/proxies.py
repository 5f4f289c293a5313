"""The client's address, and whether it used HTTPS, behind reverse proxies we were told to trust.

Rate limits, the cap on open live streams, login throttling and logs all key on ``request.remote``. Behind
nginx that is the proxy, so every resident would share one bucket. When the peer is a trusted proxy, the
client is the right-most ``X-Forwarded-For`` hop that is not itself a trusted proxy: hops to its left were
written by the client and can be forged. A peer that is not trusted is taken as the client, whatever its
headers say.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from aiohttp import hdrs, web

from kernel.logs import get_logger

log = get_logger(__name__)  # hops are written by clients: logged as fields, never as text

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` (checked when the config was read) -> networks."""
    return tuple(ipaddress.ip_network(spec, strict=False) for spec in specs)


def parse_hop(hop: str) -> Address | None:
    """One ``X-Forwarded-For`` entry: ``203.0.113.9``, ``203.0.113.9:4711``, ``2001:db8::1``,
    ``[2001:db8::1]:4711``; None when it is none of these."""
    hop = hop.strip()
    if hop.startswith("["):
        hop, closed, _ = hop[1:].partition("]")
        if not closed:
            return None
    elif hop.count(":") == 1:
        hop = hop.partition(":")[0]
    try:
        return ipaddress.ip_address(hop)
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str | None:
    """The address to treat as the client of a request from ``peer`` carrying these X-Forwarded-For headers."""
    peer_ip = parse_hop(peer) if peer else None
    if peer_ip is None or not _within(peer_ip, trusted):
        return peer
    client = peer_ip
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = parse_hop(hop)
        if address is None:
            log.warning("forwarded_for_unreadable", hop=hop[:64], peer=peer)
            break
        client = address
        if not _within(address, trusted):
            break
    return str(client)


def forwarded_scheme(peer: str | None, forwarded_proto: list[str], trusted: tuple[Network, ...]) -> str | None:
    """``https`` or ``http`` as a trusted proxy says the client connected (``X-Forwarded-Proto``, its last
    value: the one the proxy next to us wrote); None from other peers, or when unsaid or unreadable."""
    peer_ip = parse_hop(peer) if peer else None
    if peer_ip is None or not _within(peer_ip, trusted) or not forwarded_proto:
        return None
    scheme = forwarded_proto[-1].split(",")[-1].strip().lower()
    return scheme if scheme in ("http", "https") else None


def _within(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in net for net in networks)


def forwarded_client(trusted: tuple[Network, ...]):  # type: ignore[no-untyped-def]
    """Middleware (first in the chain) that hands later middlewares and handlers the client's address as
    ``request.remote``, and the scheme it used as ``request.scheme`` (so ``request.secure`` and the cookies'
    ``Secure`` flag hold behind a TLS-terminating proxy), when the request came through a trusted proxy."""

    @web.middleware
    async def middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
        peer = request.remote
        client = client_address(peer, request.headers.getall(hdrs.X_FORWARDED_FOR, []), trusted)
        scheme = forwarded_scheme(peer, request.headers.getall(hdrs.X_FORWARDED_PROTO, []), trusted)
        changes: dict[str, str] = {}
        if client is not None and client != peer:
            changes["remote"] = client
        if scheme is not None and scheme != request.scheme:
            changes["scheme"] = scheme
        if changes:
            request = request.clone(**changes)  # type: ignore[arg-type]
        return await handler(request)

    return middleware
