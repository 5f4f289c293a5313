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


async def test_slow_subscriber_gets_a_reload_instead_of_silently_missing_events():
    hub = LiveHub(replay=2)
    stream = hub.subscribe()
    first = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    hub.publish("a", {"i": 0})
    assert (await first).data == {"i": 0}
    for i in range(1, 6):  # never blocks the publisher; 1..3 leave the buffer before the subscriber reads them
        hub.publish("a", {"i": i})
    reload = await anext(stream)
    assert reload.name == "reload" and reload.id == hub.last_id
    later = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    hub.publish("a", {"i": 6})
    assert (await later).data == {"i": 6}
    await stream.aclose()
    assert hub.subscribers == 0


async def _take(stream, n: int) -> list:
    return [await asyncio.wait_for(anext(stream), 1) for _ in range(n)]


async def test_resume_after_last_event_id_replays_missed_events_once_in_order():
    hub = LiveHub(replay=10)
    for i in range(3):
        hub.publish("alert", {"i": i})
    ids = [f"{hub.epoch}-{n}" for n in (1, 2, 3)]
    assert hub.last_id == ids[-1]
    for i in range(3, 6):
        hub.publish("alert", {"i": i})
    resumed = hub.subscribe(ids[1])
    assert [e.data["i"] for e in await _take(resumed, 4)] == [2, 3, 4, 5]
    tail = asyncio.create_task(anext(resumed))
    await asyncio.sleep(0)
    hub.publish("alert", {"i": 6})
    assert (await tail).data == {"i": 6}  # then live, with no repeat of the replayed ones
    await resumed.aclose()

    up_to_date = hub.subscribe(hub.last_id)
    pending = asyncio.create_task(anext(up_to_date))
    await asyncio.sleep(0)
    assert not pending.done()
    hub.publish("alert", {"i": 7})
    assert (await pending).data == {"i": 7}
    await up_to_date.aclose()


async def test_unknown_or_evicted_last_event_id_asks_for_a_reload():
    hub = LiveHub(replay=3)
    for i in range(5):
        hub.publish("alert", {"i": i})
    for last in (f"{hub.epoch}-1", "deadbeef-4", "garbage"):  # pushed out; another server's epoch; nonsense
        stream = hub.subscribe(last)
        first = await asyncio.wait_for(anext(stream), 1)
        assert first.name == "reload" and first.id == hub.last_id, last
        await stream.aclose()
    stream = hub.subscribe(f"{hub.epoch}-2")  # the newest id pushed out: everything after it is still here
    assert [e.data["i"] for e in await _take(stream, 3)] == [2, 3, 4]
    await stream.aclose()


async def test_ids_given_by_the_publisher_are_used_for_replay():
    """The Redis fan-out numbers events with stream entry ids, the same in every web process."""
    hubs = [LiveHub(), LiveHub()]
    for hub in hubs:
        for n in range(1, 4):
            hub.publish("alert", {"n": n}, event_id=f"1700000000000-{n}")
    for hub in hubs:
        stream = hub.subscribe("1700000000000-1")
        got = await _take(stream, 2)
        assert [(e.id, e.data["n"]) for e in got] == [("1700000000000-2", 2), ("1700000000000-3", 3)]
        await stream.aclose()


async def test_fresh_hub_replays_from_the_start_of_its_epoch():
    hub = LiveHub()
    stream = hub.subscribe(hub.last_id)  # the id a reload event carries on an empty hub
    pending = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    hub.publish("alert", {"i": 1})
    assert (await pending).data == {"i": 1}
    await stream.aclose()
