"""Delivery channels: one module per way of reaching a resident, all behind the Channel protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from publish.messages import RenderedAlert


@dataclass(frozen=True, slots=True)
class Target:
    """A subscription as a channel sees it (a plain value, safe to pass between threads)."""

    subscription_id: int
    channel: str
    target: str
    language: str
    secret: str = ""  # the subscription's key: signs webhook posts and its unsubscribe link (publish.channels.links)


@runtime_checkable
class Channel(Protocol):
    """Sends one rendered alert to one subscriber; raises DeliveryError when it could not."""

    name: str

    async def deliver(self, rendered: RenderedAlert, subscription: Target) -> None:
        """Deliver or raise DeliveryError."""
        ...


@runtime_checkable
class Confirmable(Protocol):
    """A channel that can ask a new subscriber to confirm (double opt-in) before any alert is sent."""

    name: str

    async def request_confirmation(self, subscription: Target, *, hours: int) -> bool:
        """Send the confirmation request; True when the receiver confirmed at once (echoed the challenge)."""
        ...
