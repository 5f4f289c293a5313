"""Live events across processes: workers publish to a Redis channel, every web process forwards them to
its own LiveHub, so the page sees updates from all workers."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import redis.asyncio as aioredis

from bosai.live import LiveHub

log = logging.getLogger(__name__)


class RedisLiveFanout:
    """Publishes events to a Redis pub/sub channel and forwards the channel into a local hub."""

    def __init__(self, url: str, hub: LiveHub, channel: str = "bosai:live") -> None:
        self.redis = aioredis.from_url(url)
        self.hub, self.channel = hub, channel
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()

    def publish(self, name: str, data: dict[str, Any]) -> None:
        """Send an event to every process (the local hub receives it back through the channel)."""
        task = asyncio.get_running_loop().create_task(
            self.redis.publish(self.channel, json.dumps({"name": name, "data": data}, ensure_ascii=False))
        )
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def start(self) -> None:
        """Subscribe and start forwarding into the local hub."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.channel)
        self._task = asyncio.create_task(self._forward(pubsub), name="live-forward")

    async def stop(self) -> None:
        """Stop forwarding and close the connection."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.gather(*self._pending, return_exceptions=True)
        await self.redis.aclose()

    async def _forward(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                event = json.loads(message["data"])
                self.hub.publish(event["name"], event["data"])
            except (ValueError, KeyError, TypeError):
                log.warning("live_bad_message channel=%s", self.channel)
