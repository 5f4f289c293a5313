"""E-mail over TLS against a local SMTP server with a certificate made in the test: STARTTLS and implicit TLS
(port 465 style) succeed when the CA is trusted through the configured CA file, and are refused otherwise."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller

from bosai.notify import build_channels
from kernel.config import AppConfig
from kernel.errors import DeliveryError
from publish.channels import Target
from publish.channels.email import EmailChannel
from publish.messages import RenderedAlert

ALERT = RenderedAlert(alert_id="a1", lang="en", event="Heavy rain warning", headline="Heavy rain warning for Tsu",
                      description="d", instruction="i", area_desc="Tsu City", sender_name="JMA",
                      source_label="Source: JMA", level_text="Level 3", accessible_text="Heavy rain warning.",
                      speech_text="s")
TO = Target(1, "email", "resident@example.jp", "en")


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.messages.append(envelope.content)
        return "250 OK"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A certificate authority of the test's own: no system store trusts it."""
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    """The CA's certificate as a PEM file, as delivery.smtp_ca_file names it."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(ca: trustme.CA, name: str = "127.0.0.1") -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


@pytest.fixture
def starttls_server(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """A plain SMTP server on loopback that offers STARTTLS and requires it before mail."""
    inbox, port = Inbox(), _port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=_server_context(ca),
                            require_starttls=True)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _implicit(context: ssl.SSLContext) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def implicit_server(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """An SMTPS server (TLS from the first byte) on loopback."""
    yield from _implicit(_server_context(ca))


@pytest.fixture
def misnamed_server(ca: trustme.CA) -> Iterator[tuple[Inbox, int]]:
    """An SMTPS server whose trusted certificate names another host."""
    yield from _implicit(_server_context(ca, "mail.example.org"))


async def test_starttls_with_a_trusted_certificate_delivers(starttls_server, ca_file) -> None:
    inbox, port = starttls_server
    channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.test", starttls=True,
                           ca_file=ca_file, timeout_s=5)
    await channel.deliver(ALERT, TO)
    assert len(inbox.messages) == 1 and b"Heavy rain warning." in inbox.messages[0]


async def test_implicit_tls_with_a_trusted_certificate_delivers(implicit_server, ca_file) -> None:
    inbox, port = implicit_server
    channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.test", implicit_tls=True,
                           ca_file=ca_file, timeout_s=5)
    await channel.deliver(ALERT, TO)
    assert len(inbox.messages) == 1


async def test_an_untrusted_certificate_is_refused_on_starttls(starttls_server) -> None:
    inbox, port = starttls_server
    channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.test", starttls=True, timeout_s=5,
                           username="user", password="secret")  # the password must never reach this server
    with pytest.raises(DeliveryError, match=r"TLS failed.*CERTIFICATE_VERIFY_FAILED"):
        await channel.deliver(ALERT, TO)
    assert inbox.messages == []


async def test_an_untrusted_certificate_is_refused_on_implicit_tls(implicit_server) -> None:
    inbox, port = implicit_server
    channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.test", implicit_tls=True, timeout_s=5)
    with pytest.raises(DeliveryError, match=r"TLS failed.*CERTIFICATE_VERIFY_FAILED"):
        await channel.deliver(ALERT, TO)
    assert inbox.messages == []


async def test_a_certificate_for_another_host_is_refused(misnamed_server, ca_file) -> None:
    inbox, port = misnamed_server
    channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.test", implicit_tls=True,
                           ca_file=ca_file, timeout_s=5)
    with pytest.raises(DeliveryError, match="TLS failed"):
        await channel.deliver(ALERT, TO)
    assert inbox.messages == []


async def test_credentials_are_never_sent_without_tls() -> None:
    inbox, port = Inbox(), _port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        channel = EmailChannel(host="127.0.0.1", port=port, sender="alerts@bosai.test", username="user",
                               password="secret", timeout_s=5)
        with pytest.raises(DeliveryError, match="without TLS"):
            await channel.deliver(ALERT, TO)
    finally:
        controller.stop()
    assert inbox.messages == []


def test_config_names_the_tls_mode_and_the_ca_file(ca_file) -> None:
    config = AppConfig.model_validate({"delivery": {"smtp_host": "mail.example.jp", "smtp_port": 465,
                                                    "smtp_implicit_tls": True, "smtp_ca_file": ca_file}})
    channel = build_channels(config.delivery)["email"]
    assert isinstance(channel, EmailChannel)
    assert (channel.implicit_tls, channel.starttls, channel.ca_file) == (True, False, ca_file)
    context = channel.tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    with pytest.raises(ValueError, match="exclude each other"):
        AppConfig.model_validate({"delivery": {"smtp_host": "h", "smtp_starttls": True, "smtp_implicit_tls": True}})
