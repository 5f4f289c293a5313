"""Fan-out of live events (new incident, gauge update, alert ...) to the page's SSE connections."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One event for the page: ``name`` is the SSE event name, ``data`` its JSON body."""

    seq: int
    name: str
    data: dict[str, Any]


class LiveHub:
    """Broadcasts events to every subscriber; a slow subscriber loses its oldest events, never blocks others."""

    def __init__(self, per_subscriber: int = 500) -> None:
        self._subscribers: set[asyncio.Queue[LiveEvent]] = set()
        self._per_subscriber = per_subscriber
        self._seq = itertools.count(1)
        self.published = 0

    def publish(self, name: str, data: dict[str, Any]) -> None:
        """Send an event to all current subscribers (call from the event loop)."""
        event = LiveEvent(next(self._seq), name, data)
        self.published += 1
        for q in self._subscribers:
            if q.full():
                q.get_nowait()
            q.put_nowait(event)

    def publish_threadsafe(self, loop: asyncio.AbstractEventLoop, name: str, data: dict[str, Any]) -> None:
        """Publish from another thread (e.g. the store writer)."""
        loop.call_soon_threadsafe(self.publish, name, data)

    async def subscribe(self) -> AsyncIterator[LiveEvent]:
        """Yield events as they are published until the consumer stops iterating."""
        q: asyncio.Queue[LiveEvent] = asyncio.Queue(self._per_subscriber)
        self._subscribers.add(q)
        try:
            while True:
                yield await q.get()
        finally:
            self._subscribers.discard(q)

    @property
    def subscribers(self) -> int:
        """Number of connected subscribers."""
        return len(self._subscribers)
