"""E-mail channel: a plain-text message (the accessible form) through an SMTP server, over verified TLS.

Every alert carries a one-click unsubscribe link (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058) and
the same link in its text; sign-ups get a confirmation request first (double opt-in).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from typing import Final
from urllib.parse import urlsplit

from kernel.errors import DeliveryError
from publish.channels import Target
from publish.channels.links import link_url
from publish.channels.texts import confirmation_text, unsubscribe_footer
from publish.messages import RenderedAlert

# Lines up to RFC 5322's hard limit: a long List-Unsubscribe URL must stay one plain <URL>, never encoded words.
POLICY: Final = default_policy.clone(max_line_length=998)


class EmailChannel:
    """Sends by SMTP in a thread: STARTTLS or implicit TLS (port 465), certificates always verified.

    ``ca_file`` adds trusted certificate authorities (a private relay's CA, or a test's self-signed one).
    Credentials are never sent over a connection without TLS.
    """

    name = "email"

    def __init__(self, *, host: str, port: int = 25, sender: str, starttls: bool = False,
                 implicit_tls: bool = False, ca_file: str | None = None, username: str | None = None,
                 password: str | None = None, timeout_s: float = 15.0, base_url: str = "") -> None:
        if starttls and implicit_tls:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.implicit_tls, self.ca_file = starttls, implicit_tls, ca_file or None
        self.username, self.password, self.timeout_s = username, password, timeout_s
        self.base_url = base_url

    def tls_context(self) -> ssl.SSLContext:
        """The system's trusted CAs (plus ``ca_file``), hostname checked: a man in the middle is refused."""
        return ssl.create_default_context(cafile=self.ca_file)

    def _headers(self, msg: EmailMessage, to: str, subject: str) -> None:
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = " ".join(subject.split())  # headers never carry raw line breaks
        domain = self.sender.rpartition("@")[2] or None
        msg["Message-ID"] = make_msgid(domain=domain)

    def message(self, rendered: RenderedAlert, to: str, unsubscribe_url: str = "") -> EmailMessage:
        """The e-mail for one subscriber (UTF-8 plain text), with its one-click unsubscribe link."""
        msg = EmailMessage(policy=POLICY)
        self._headers(msg, to, f"[{rendered.sender_name}] {rendered.headline}")
        text = f"{rendered.accessible_text}\n\n{rendered.area_desc}\n"
        if unsubscribe_url:
            msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            text += f"\n-- \n{unsubscribe_footer(rendered.lang, unsubscribe_url)}\n"
        msg.set_content(text)
        msg["Content-Language"] = rendered.lang  # after set_content, which replaces the Content-* headers
        return msg

    def confirmation(self, to: str, lang: str, confirm_url: str, hours: int) -> EmailMessage:
        """The double opt-in request: a link to a page whose button confirms the subscription."""
        subject, body = confirmation_text(lang, confirm_url, hours)
        msg = EmailMessage(policy=POLICY)
        self._headers(msg, to, subject)
        msg.set_content(body + "\n")
        msg["Content-Language"] = lang
        return msg

    def _send(self, msg: EmailMessage) -> None:
        context = self.tls_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username and self.password:
                if not (self.starttls or self.implicit_tls):
                    raise DeliveryError("refusing to send SMTP credentials without TLS "
                                        "(set delivery.smtp_starttls or delivery.smtp_implicit_tls)")
                smtp.login(self.username, self.password)
            smtp.send_message(msg)

    async def send(self, msg: EmailMessage) -> None:
        """Send one message; raise DeliveryError when the server refuses it, cannot be reached or fails TLS."""
        to = str(msg["To"] or "")
        if "@" not in to or "\n" in to:
            raise DeliveryError(f"not an e-mail address: {to!r}")
        try:
            await asyncio.to_thread(self._send, msg)
        except ssl.SSLError as err:  # an untrusted or mismatched certificate: never fall back to plain text
            raise DeliveryError(f"smtp TLS failed: {err.__class__.__name__}: {err}") from err
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(f"smtp failed: {err.__class__.__name__}: {err}") from err

    async def deliver(self, rendered: RenderedAlert, subscription: Target) -> None:
        """Send one alert; raise DeliveryError when it could not be sent."""
        if "@" not in subscription.target or "\n" in subscription.target:
            raise DeliveryError(f"not an e-mail address: {subscription.target!r}")
        unsubscribe = (link_url(self.base_url, "unsubscribe", subscription.subscription_id, subscription.secret)
                       if subscription.secret and urlsplit(self.base_url).scheme else "")
        await self.send(self.message(rendered, subscription.target, unsubscribe))

    async def request_confirmation(self, subscription: Target, *, hours: int) -> bool:
        """E-mail the confirmation link; False: the subscriber still has to follow it."""
        url = link_url(self.base_url, "confirm", subscription.subscription_id, subscription.secret)
        await self.send(self.confirmation(subscription.target, subscription.language, url, hours))
        return False
