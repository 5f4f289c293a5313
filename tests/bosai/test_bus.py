from __future__ import annotations

import asyncio

import pytest

from bosai.bus import MemoryBus


async def test_batches_gather_up_to_max_items():
    bus = MemoryBus(100)
    for i in range(10):
        await bus.put("classify", i)
    assert await bus.get_batch("classify", 4, 0.01) == [0, 1, 2, 3]
    assert await bus.get_batch("classify", 100, 0.01) == [4, 5, 6, 7, 8, 9]
    assert bus.depth("classify") == 0


async def test_batch_waits_for_the_first_item_then_lingers():
    bus = MemoryBus(10)

    async def later():
        await asyncio.sleep(0.05)
        await bus.put("geocode", 1)
        await asyncio.sleep(0.01)
        await bus.put("geocode", 2)

    task = asyncio.create_task(later())
    assert await bus.get_batch("geocode", 10, 0.2) == [1, 2]
    await task


async def test_full_queue_applies_backpressure():
    bus = MemoryBus(2)
    await bus.put("observe", 1)
    await bus.put("observe", 2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(bus.put("observe", 3), 0.05)
    assert bus.depths()["observe"] == 2
