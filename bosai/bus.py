"""The queue between stages. In-process bounded queues by default; a put blocks when a stage is behind,
which pushes back on the collectors instead of growing memory without bound."""

from __future__ import annotations

import asyncio
from typing import Protocol

TOPICS = ("classify", "geocode", "incidents", "observe")


class Bus(Protocol):
    """Moves item ids from one stage to the next."""

    async def put(self, topic: str, item_id: int) -> None:
        """Queue an item for a stage; waits while the stage's queue is full."""
        ...

    async def get_batch(self, topic: str, max_items: int, linger_s: float) -> list[int]:
        """Wait for at least one item, then take up to ``max_items`` arriving within ``linger_s``."""
        ...

    def depth(self, topic: str) -> int:
        """Items waiting for a stage."""
        ...

    async def ack(self, topic: str, item_ids: list[int]) -> None:
        """Mark items as done by this stage (their results are committed), so they are not redelivered."""
        ...


class MemoryBus:
    """Bounded asyncio queues, one per topic."""

    def __init__(self, maxsize: int) -> None:
        self._queues = {topic: asyncio.Queue[int](maxsize) for topic in TOPICS}

    async def put(self, topic: str, item_id: int) -> None:
        """Queue an item; waits while the queue is full (backpressure)."""
        await self._queues[topic].put(item_id)

    async def get_batch(self, topic: str, max_items: int, linger_s: float) -> list[int]:
        """Take a batch: block for the first item, then gather more for at most ``linger_s``."""
        q = self._queues[topic]
        batch = [await q.get()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + linger_s
        while len(batch) < max_items:
            if not q.empty():
                batch.append(q.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(q.get(), remaining))
            except TimeoutError:
                break
        return batch

    def depth(self, topic: str) -> int:
        """Items waiting for a stage."""
        return self._queues[topic].qsize()

    async def ack(self, topic: str, item_ids: list[int]) -> None:
        """Nothing to do: an in-process item is gone once taken; the store's states cover crashes."""

    def depths(self) -> dict[str, int]:
        """Depth of every topic."""
        return {topic: q.qsize() for topic, q in self._queues.items()}
