"""E-mail channel: a plain-text message (the accessible form) through an SMTP server."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from bosai.errors import DeliveryError
from publish.channels import Target
from publish.messages import RenderedAlert


class EmailChannel:
    """Sends the alert's accessible text by SMTP (STARTTLS when asked); runs smtplib in a thread."""

    name = "email"

    def __init__(self, *, host: str, port: int = 25, sender: str, starttls: bool = False,
                 username: str | None = None, password: str | None = None, timeout_s: float = 15.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password, self.timeout_s = starttls, username, password, timeout_s

    def message(self, rendered: RenderedAlert, to: str) -> EmailMessage:
        """The e-mail for one subscriber (UTF-8 plain text; headers never carry raw line breaks)."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = " ".join(f"[{rendered.sender_name}] {rendered.headline}".split())
        msg["Content-Language"] = rendered.lang
        msg.set_content(f"{rendered.accessible_text}\n\n{rendered.area_desc}\n")
        return msg

    def _send(self, msg: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(msg)

    async def deliver(self, rendered: RenderedAlert, subscription: Target) -> None:
        """Send one alert; raise DeliveryError when the server refuses it or cannot be reached."""
        if "@" not in subscription.target or "\n" in subscription.target:
            raise DeliveryError(f"not an e-mail address: {subscription.target!r}")
        try:
            await asyncio.to_thread(self._send, self.message(rendered, subscription.target))
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(f"smtp failed: {err.__class__.__name__}: {err}") from err
