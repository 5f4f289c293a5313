"""Geocode: find the places a flagged post names; the best one locates it, and it goes on to incidents."""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session

from bosai.bus import Bus
from kernel.records import Geocoder
from kernel.store import Store, posts, repo


async def geocode(store: Store, bus: Bus, geocoder: Geocoder | None, ids: list[int]) -> None:
    """Place the posts with these ids and queue them to ``incidents``."""
    found = await store.read(lambda s: posts.texts(s, ids))
    assert geocoder is not None, "stage workers need a geocoder"
    places = await asyncio.to_thread(lambda: [geocoder.resolve(text, geo=geo) for _, text, geo in found])
    placed = [(post_id, p) for (post_id, _, _), p in zip(found, places, strict=True)]

    def save(session: Session) -> None:
        posts.save_places(session, placed)
        repo.set_state(session, [post_id for post_id, _ in placed], repo.GEOCODED)

    await store.write(save)
    for post_id in ids:
        await bus.put("incidents", post_id)
