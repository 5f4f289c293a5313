"""RedisBus against the real redis-server that scripts/test.sh starts."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from bosai.redis_bus import RedisBus

URL = os.environ.get("BOSAI_TEST_REDIS_URL")


@pytest.fixture
async def make_bus():
    if not URL:
        if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1":
            pytest.fail("BOSAI_TEST_REDIS_URL is not set: scripts/test.sh starts redis-server")
        pytest.skip("Redis not configured (run scripts/test.sh)")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    buses: list[RedisBus] = []

    async def make(**kw) -> RedisBus:
        bus = RedisBus(URL, prefix=prefix, **kw)
        await bus.setup()
        buses.append(bus)
        return bus

    yield make
    keys = await buses[0].redis.keys(f"{prefix}:*")
    if keys:
        await buses[0].redis.delete(*keys)
    for b in buses:
        await b.close()


async def test_two_workers_share_a_stage_without_double_processing(make_bus):
    producer = await make_bus()
    a, b = await make_bus(consumer="a"), await make_bus(consumer="b")
    for i in range(100):
        await producer.put("classify", i)
    seen: list[int] = []

    async def work(bus: RedisBus):
        while len(seen) < 100:
            try:
                ids = await asyncio.wait_for(bus.get_batch("classify", 7, 0.01), 0.5)
            except TimeoutError:
                continue
            seen.extend(ids)
            await bus.ack("classify", ids)

    await asyncio.wait_for(asyncio.gather(work(a), work(b)), 20)
    assert sorted(seen) == list(range(100))
    assert await producer.refresh_depths() == {"classify": 0, "geocode": 0, "incidents": 0, "observe": 0}


async def test_messages_of_a_crashed_worker_are_reclaimed(make_bus):
    producer = await make_bus()
    crashed = await make_bus(consumer="crashed")
    survivor = await make_bus(consumer="survivor", reclaim_idle_ms=100)
    for i in range(5):
        await producer.put("geocode", i)
    taken = await crashed.get_batch("geocode", 5, 0.01)
    assert taken == [0, 1, 2, 3, 4]  # never acknowledged: the worker died
    await asyncio.sleep(0.2)
    reclaimed = await survivor.get_batch("geocode", 10, 0.01)
    assert sorted(reclaimed) == taken
    await survivor.ack("geocode", reclaimed)
    assert (await survivor.refresh_depths())["geocode"] == 0


async def test_poison_message_goes_to_dead_letters(make_bus):
    producer = await make_bus()
    worker = await make_bus(consumer="w", reclaim_idle_ms=1, max_deliveries=2)
    await producer.put("observe", 42)
    await producer.put("observe", 43)
    first = await worker.get_batch("observe", 1, 0.01)
    assert first == [42]
    for _ in range(3):  # redelivered without ack until it exceeds max_deliveries
        await asyncio.sleep(0.01)
        got = await worker.get_batch("observe", 1, 0.01)
        if got == [43]:
            break
    assert got == [43]
    dead = await worker.redis.xrange(worker.dead_letters("observe"))
    assert [int(f[b"id"]) for _id, f in dead] == [42]


async def test_put_waits_while_the_backlog_is_full(make_bus):
    bus = await make_bus(maxlen=3)
    for i in range(3):
        await bus.put("classify", i)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(bus.put("classify", 3), 0.2)
    ids = await bus.get_batch("classify", 1, 0.01)
    await bus.ack("classify", ids)
    await asyncio.wait_for(bus.put("classify", 3), 1)


async def test_a_waiting_worker_takes_over_once_messages_go_idle(make_bus):
    producer = await make_bus()
    crashed = await make_bus(consumer="crashed")
    survivor = await make_bus(consumer="survivor", reclaim_idle_ms=300)
    await producer.put("incidents", 7)
    assert await crashed.get_batch("incidents", 5, 0.01) == [7]  # taken, never acknowledged
    # the survivor is already waiting on an idle stream when the message becomes reclaimable
    assert await asyncio.wait_for(survivor.get_batch("incidents", 5, 0.01), 5) == [7]
