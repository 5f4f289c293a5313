"""Fan-out of live events (new incident, gauge update, alert ...) to the page's SSE connections.

Every event has an id, and the hub keeps the newest ones in one bounded buffer that all subscribers read
from with their own cursor. A page that reconnects with the id of the last event it saw (SSE
``Last-Event-ID``) gets exactly the events it missed, in order; when they are no longer all in the buffer
(too long away, a restarted server, a subscriber too slow to keep up) it gets a ``reload`` event instead,
asking it to fetch the full state again, so an event is never lost silently.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

log = logging.getLogger(__name__)

RELOAD: Final = "reload"  # the event that tells a subscriber to fetch the full state again
REPLAY: Final = 1000  # events kept for reconnecting subscribers (a few seconds of a busy typhoon day)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One event for the page: ``name`` is the SSE event name, ``data`` its JSON body, ``id`` its SSE id.

    ``seq`` numbers the events of this hub without gaps; ``id`` is what clients see and send back: the
    hub's own ``<epoch>-<seq>``, or the id given by the publisher (a Redis stream entry id), which is the
    same in every web process.
    """

    seq: int
    name: str
    data: dict[str, Any]
    id: str = ""


class LiveHub:
    """Broadcasts events to every subscriber from one bounded replay buffer; never blocks the publisher."""

    def __init__(self, replay: int = REPLAY, *, epoch: str | None = None) -> None:
        if replay < 1:
            raise ValueError("replay: at least one event")
        # A new epoch per hub, so that an id from before a restart is never taken for one of ours.
        self.epoch = epoch or secrets.token_hex(4)
        self._history: deque[LiveEvent] = deque(maxlen=replay)
        self._dropped = f"{self.epoch}-0"  # id of the newest event pushed out of the buffer (or "before all")
        self._seq = itertools.count(1)
        self._waiters: set[asyncio.Future[None]] = set()
        self._subscribers = 0
        self.published = 0

    @property
    def last_id(self) -> str:
        """The id of the newest event (a subscriber that has it has missed nothing)."""
        return self._history[-1].id if self._history else self._dropped

    def publish(self, name: str, data: dict[str, Any], event_id: str | None = None) -> None:
        """Send an event to all current subscribers (call from the event loop); ``event_id`` when the
        publisher numbers events itself (the Redis fan-out)."""
        seq = next(self._seq)
        event = LiveEvent(seq, name, data, event_id or f"{self.epoch}-{seq}")
        if len(self._history) == self._history.maxlen:
            self._dropped = self._history[0].id
        self._history.append(event)
        self.published += 1
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def publish_threadsafe(self, loop: asyncio.AbstractEventLoop, name: str, data: dict[str, Any]) -> None:
        """Publish from another thread (e.g. the store writer)."""
        loop.call_soon_threadsafe(self.publish, name, data)

    def _cursor_after(self, last_id: str) -> int | None:
        """The seq of the event with ``last_id`` (replay starts after it), or None when events after it may
        have left the buffer (or the id is not ours)."""
        for event in reversed(self._history):
            if event.id == last_id:
                return event.seq
        if last_id == self._dropped:
            return self._history[0].seq - 1 if self._history else self._newest_seq()
        return None

    def _newest_seq(self) -> int:
        return self._history[-1].seq if self._history else 0

    def _reload(self) -> LiveEvent:
        """A reload event carrying the newest id, so that a later reconnect resumes from here."""
        return LiveEvent(self._newest_seq(), RELOAD, {"reason": "missed events are no longer available"},
                         self.last_id)

    async def subscribe(self, last_id: str | None = None) -> AsyncIterator[LiveEvent]:
        """Yield events as they are published until the consumer stops iterating.

        With ``last_id`` (the id of the last event the subscriber saw) the events after it come first, each
        exactly once; if they cannot all be replayed the first event is a ``reload``.
        """
        self._subscribers += 1
        try:
            cursor = self._newest_seq() if last_id is None else self._cursor_after(last_id)
            if cursor is None:
                log.info("live_replay_unavailable last_id=%.40s", last_id)
                yield self._reload()
                cursor = self._newest_seq()
            while True:
                if not self._history or cursor >= self._history[-1].seq:
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiters.add(waiter)
                    try:
                        await waiter
                    finally:
                        self._waiters.discard(waiter)
                    continue
                oldest = self._history[0].seq
                if cursor + 1 < oldest:  # too slow: what it had not read yet was pushed out of the buffer
                    log.warning("live_subscriber_behind missed=%d", oldest - cursor - 1)
                    yield self._reload()
                    cursor = self._newest_seq()
                    continue
                event = self._history[cursor + 1 - oldest]
                cursor = event.seq
                yield event
        finally:
            self._subscribers -= 1

    @property
    def subscribers(self) -> int:
        """Number of connected subscribers."""
        return self._subscribers
