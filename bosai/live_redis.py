"""Live events across processes: workers append them to a Redis stream, every web process forwards the
stream to its own LiveHub, so the page sees updates from all workers.

A stream rather than pub/sub because its entry ids are the same in every process: each hub numbers the
events with them, so a page that reconnects to another web process (behind a load balancer) with
``Last-Event-ID`` still gets exactly what it missed. A web process can replay only what it received since
it started; an older id gets a ``reload`` event (bosai.live). Events that a web process publishes straight
into its own hub (triage, evacuation entry) carry that hub's own ids and reach only its own pages.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bosai.live import LiveHub

log = logging.getLogger(__name__)

STREAM_MAXLEN: Final = 10_000  # entries Redis keeps (approximately), several times a hub's replay buffer
BLOCK_MS: Final = 5000
BATCH: Final = 500
RETRY_S: Final = 1.0


class RedisLiveFanout:
    """Appends events to a Redis stream and forwards the stream into a local hub."""

    def __init__(self, url: str, hub: LiveHub, channel: str = "bosai:live", *,
                 maxlen: int = STREAM_MAXLEN) -> None:
        self.redis = aioredis.from_url(url)
        self.hub, self.channel, self.maxlen = hub, channel, maxlen
        self._task: asyncio.Task[None] | None = None
        self._outbox: list[str] = []
        self._sender: asyncio.Task[None] | None = None

    def publish(self, name: str, data: dict[str, Any]) -> None:
        """Send an event to every process (the local hub receives it back through the stream).

        One sender appends them in order, in pipelined batches: concurrent appends over a connection pool
        could reach Redis in another order than they were published."""
        self._outbox.append(json.dumps({"name": name, "data": data}, ensure_ascii=False, default=str))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send(), name="live-send")

    async def _send(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox, []
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for body in batch:
                        pipe.xadd(self.channel, {"e": body}, maxlen=self.maxlen, approximate=True)
                    await pipe.execute()
            except RedisError as err:  # Redis is away: these events are lost to other processes, as with pub/sub
                log.warning("live_publish_failed stream=%s events=%d error=%s", self.channel, len(batch), err)

    async def start(self) -> None:
        """Start forwarding into the local hub, from the events appended after now."""
        newest = await self.redis.xrevrange(self.channel, count=1)
        after = newest[0][0] if newest else b"0-0"
        self._task = asyncio.create_task(self._forward(after), name="live-forward")

    async def stop(self) -> None:
        """Stop forwarding and close the connection."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._sender is not None:
            await asyncio.gather(self._sender, return_exceptions=True)
        await self.redis.aclose()

    async def _forward(self, after: bytes | str) -> None:
        """Read on from the last entry forwarded; a Redis outage delays events but loses none the stream kept."""
        while True:
            try:
                reply = await self.redis.xread({self.channel: after}, count=BATCH, block=BLOCK_MS)
            except RedisError as err:
                log.warning("live_forward_retry stream=%s error=%s", self.channel, err)
                await asyncio.sleep(RETRY_S)
                continue
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    after = entry_id
                    self._deliver(entry_id, fields)

    def _deliver(self, entry_id: bytes | str, fields: dict[bytes, bytes]) -> None:
        event_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        try:
            event = json.loads(fields[b"e"])
            self.hub.publish(event["name"], event["data"], event_id=event_id)
        except (ValueError, KeyError, TypeError):
            log.warning("live_bad_message stream=%s id=%s", self.channel, event_id)
