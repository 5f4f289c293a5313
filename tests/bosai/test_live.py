from __future__ import annotations

import asyncio

from bosai.live import LiveHub


async def test_every_subscriber_gets_events_in_order():
    hub = LiveHub()
    got: dict[int, list[int]] = {1: [], 2: []}

    async def consume(n: int):
        async for event in hub.subscribe():
            got[n].append(event.data["i"])
            if len(got[n]) == 3:
                return

    tasks = [asyncio.create_task(consume(n)) for n in (1, 2)]
    await asyncio.sleep(0)
    assert hub.subscribers == 2
    for i in range(3):
        hub.publish("incident", {"i": i})
    await asyncio.gather(*tasks)
    assert got == {1: [0, 1, 2], 2: [0, 1, 2]}
    assert hub.subscribers == 0


async def test_slow_subscriber_drops_oldest_without_blocking():
    hub = LiveHub(per_subscriber=2)
    stream = hub.subscribe()
    first = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    hub.publish("a", {"i": 0})
    assert (await first).data == {"i": 0}
    for i in range(1, 6):
        hub.publish("a", {"i": i})
    assert [(await anext(stream)).data["i"] for _ in range(2)] == [4, 5]
    await stream.aclose()
