"""Redis Streams implementation of the bus, for running collectors and workers as separate processes.

One stream per stage, one consumer group per stage, one consumer per worker process. A message stays
pending until the worker acknowledges it after committing its results; messages left pending by a
crashed worker are reclaimed with XAUTOCLAIM after ``reclaim_idle_ms``; a message delivered more than
``max_deliveries`` times goes to a dead-letter stream instead of blocking the stage forever.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from bosai.bus import TOPICS

log = logging.getLogger(__name__)
IDLE_BLOCK_MS = 500  # longest wait for new messages before looking for abandoned ones again


class RedisBus:
    """Bus over Redis Streams with consumer groups, acknowledgements, reclaim and dead letters."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "bosai",
        maxlen: int = 100_000,
        reclaim_idle_ms: int = 30_000,
        max_deliveries: int = 5,
        consumer: str | None = None,
    ) -> None:
        self.redis = aioredis.from_url(url)
        self.prefix, self.maxlen = prefix, maxlen
        self.reclaim_idle_ms, self.max_deliveries = reclaim_idle_ms, max_deliveries
        self.consumer = consumer or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self._pending: dict[str, dict[int, list[bytes]]] = {t: {} for t in TOPICS}
        self._depths: dict[str, int] = dict.fromkeys(TOPICS, 0)

    def stream(self, topic: str) -> str:
        """Key of a stage's stream."""
        return f"{self.prefix}:{topic}"

    def dead_letters(self, topic: str) -> str:
        """Key of a stage's dead-letter stream."""
        return f"{self.prefix}:{topic}:dead"

    async def setup(self) -> None:
        """Create the streams and consumer groups if they do not exist."""
        for topic in TOPICS:
            try:
                await self.redis.xgroup_create(self.stream(topic), topic, id="0", mkstream=True)
            except ResponseError as err:
                if "BUSYGROUP" not in str(err):
                    raise

    async def close(self) -> None:
        """Close the connection pool."""
        await self.redis.aclose()

    async def put(self, topic: str, item_id: int) -> None:
        """Append an item id to the stage's stream; waits while the backlog is at ``maxlen`` (backpressure).

        Acknowledged entries are deleted, so the stream's length is the stage's backlog and nothing
        unprocessed is ever trimmed away.
        """
        while await self.redis.xlen(self.stream(topic)) >= self.maxlen:  # noqa: ASYNC110 - polls Redis
            await asyncio.sleep(0.05)
        await self.redis.xadd(self.stream(topic), {"id": item_id})

    async def get_batch(self, topic: str, max_items: int, linger_s: float) -> list[int]:
        """Messages reclaimed from dead consumers first, then new ones; blocks until at least one arrives.

        The blocking read is short so that, on an idle stream, messages a crashed worker left pending are
        still taken over once they have been idle for ``reclaim_idle_ms``.
        """
        while True:
            messages = await self._reclaim(topic, max_items)
            if not messages:
                reply = await self.redis.xreadgroup(
                    topic, self.consumer, {self.stream(topic): ">"}, count=max_items, block=IDLE_BLOCK_MS
                )
                messages = reply[0][1] if reply else []
            if messages:
                return self._remember(topic, messages)

    async def ack(self, topic: str, item_ids: list[int]) -> None:
        """Acknowledge and delete the messages that carried these items."""
        msg_ids = [m for i in item_ids for m in self._pending[topic].pop(i, [])]
        if msg_ids:
            await self.redis.xack(self.stream(topic), topic, *msg_ids)
            await self.redis.xdel(self.stream(topic), *msg_ids)

    def depth(self, topic: str) -> int:
        """Last known backlog of the stage (refreshed by ``refresh_depths``)."""
        return self._depths[topic]

    async def refresh_depths(self) -> dict[str, int]:
        """Read each stage's backlog (entries not yet acknowledged) from Redis."""
        for topic in TOPICS:
            self._depths[topic] = await self.redis.xlen(self.stream(topic))
        return dict(self._depths)

    async def _reclaim(self, topic: str, count: int) -> list[tuple[bytes, dict[bytes, bytes]]]:
        _next, claimed, _deleted = await self.redis.xautoclaim(
            self.stream(topic), topic, self.consumer, self.reclaim_idle_ms, "0-0", count=count
        )
        if not claimed:
            return []
        live = []
        for msg_id, fields in claimed:
            info = await self.redis.xpending_range(self.stream(topic), topic, msg_id, msg_id, 1)
            deliveries = info[0]["times_delivered"] if info else 1
            if deliveries > self.max_deliveries:
                await self.redis.xadd(self.dead_letters(topic), {**fields, b"deliveries": deliveries})
                await self.redis.xack(self.stream(topic), topic, msg_id)
                await self.redis.xdel(self.stream(topic), msg_id)
                log.warning("bus_dead_letter topic=%s msg=%s deliveries=%d", topic, msg_id, deliveries)
            else:
                live.append((msg_id, fields))
        return live

    def _remember(self, topic: str, messages: list[tuple[bytes, dict[bytes, bytes]]]) -> list[int]:
        ids = []
        for msg_id, fields in messages:
            item_id = int(fields[b"id"])
            self._pending[topic].setdefault(item_id, []).append(msg_id)
            ids.append(item_id)
        return ids
