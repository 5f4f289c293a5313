"""RedisLiveFanout against the real redis-server that scripts/test.sh starts: every web process numbers the
events alike, so a page can resume with Last-Event-ID on another process."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from bosai.live import LiveHub
from bosai.live_redis import RedisLiveFanout

URL = os.environ.get("BOSAI_TEST_REDIS_URL")


@pytest.fixture
async def fanouts():
    if not URL:
        if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1":
            pytest.fail("BOSAI_TEST_REDIS_URL is not set: scripts/test.sh starts redis-server")
        pytest.skip("Redis not configured (run scripts/test.sh)")
    key = f"test-{uuid.uuid4().hex[:8]}:live"
    made: list[RedisLiveFanout] = []

    async def make() -> RedisLiveFanout:
        fanout = RedisLiveFanout(URL, LiveHub(), key)
        await fanout.start()
        made.append(fanout)
        return fanout

    yield make
    await made[0].redis.delete(key)
    for f in made:
        await f.stop()


async def _wait_for(hub: LiveHub, n: int) -> None:
    for _ in range(300):
        if hub.published >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"hub got {hub.published} of {n} events")


async def test_every_web_process_numbers_events_alike_so_replay_works_anywhere(fanouts):
    web1, web2, worker = await fanouts(), await fanouts(), await fanouts()
    for i in range(5):
        worker.publish("alert", {"i": i})
    for fanout in (web1, web2, worker):
        await _wait_for(fanout.hub, 5)
    ids1 = [e.id for e in web1.hub._history]
    assert ids1 == [e.id for e in web2.hub._history]  # the stream entry ids
    assert [e.data["i"] for e in web2.hub._history] == [0, 1, 2, 3, 4]

    resumed = web2.hub.subscribe(ids1[1])  # the page saw event 1 from web1, then reconnected to web2
    got = [await asyncio.wait_for(anext(resumed), 1) for _ in range(3)]
    assert [(e.id, e.data["i"]) for e in got] == [(ids1[2], 2), (ids1[3], 3), (ids1[4], 4)]
    await resumed.aclose()


async def test_a_process_started_later_forwards_only_new_events(fanouts):
    early = await fanouts()
    early.publish("alert", {"i": 0})
    await _wait_for(early.hub, 1)
    late = await fanouts()
    early.publish("alert", {"i": 1})
    await _wait_for(late.hub, 1)
    await asyncio.sleep(0.05)
    assert [e.data["i"] for e in late.hub._history] == [1]
    stream = late.hub.subscribe(early.hub._history[0].id)  # an id from before it started: reload
    assert (await asyncio.wait_for(anext(stream), 1)).name == "reload"
    await stream.aclose()
