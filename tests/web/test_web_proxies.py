"""Which address is the client: the peer, unless it is a trusted proxy, then the nearest untrusted hop."""

from __future__ import annotations

import pytest

from bosai.web.proxies import client_address, parse_hop, parse_networks
from kernel.config import AppConfig

TRUSTED = parse_networks(["127.0.0.1", "10.0.0.0/8", "::1"])


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        ("198.51.100.7", ["203.0.113.9"], "198.51.100.7"),  # untrusted peer: its header is ignored
        ("127.0.0.1", [], "127.0.0.1"),  # trusted, but nothing forwarded
        ("127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        ("127.0.0.1", ["192.0.2.1, 203.0.113.9"], "203.0.113.9"),  # the left hop is the client's own claim
        ("127.0.0.1", ["203.0.113.9, 10.1.2.3"], "203.0.113.9"),  # through two trusted proxies
        ("127.0.0.1", ["203.0.113.9", "10.1.2.3"], "203.0.113.9"),  # the same, as two header lines
        ("127.0.0.1", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),  # every hop trusted: the farthest one
        ("127.0.0.1", ["203.0.113.9:4711"], "203.0.113.9"),
        ("::1", ["[2001:db8::5]:4711"], "2001:db8::5"),
        ("127.0.0.1", ["203.0.113.9, not-an-address"], "127.0.0.1"),  # unreadable: stop at the last good hop
        ("127.0.0.1", ["unknown, 10.1.2.3"], "10.1.2.3"),
        (None, ["203.0.113.9"], None),
    ],
)
def test_client_address(peer: str | None, headers: list[str], expected: str | None) -> None:
    assert client_address(peer, headers, TRUSTED) == expected


def test_no_trusted_proxies_means_the_peer_is_the_client() -> None:
    assert client_address("127.0.0.1", ["203.0.113.9"], ()) == "127.0.0.1"


def test_parse_hop_rejects_names_and_garbage() -> None:
    assert parse_hop("example.org") is None and parse_hop("") is None and parse_hop("[::1") is None
    assert str(parse_hop(" 2001:db8::1 ")) == "2001:db8::1"


def test_the_config_names_a_bad_proxy_entry() -> None:
    with pytest.raises(ValueError, match="nginx"):
        AppConfig.model_validate({"web": {"trusted_proxies": ["nginx"]}})
    assert AppConfig.model_validate({"web": {"trusted_proxies": ["10.1.2.3/8"]}}).web.trusted_proxies == ["10.0.0.0/8"]
