"""Classify: score a batch of posts; a disaster post goes on to geocode, any other post is done."""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session

from bosai.bus import Bus
from bosai.context import utc_now
from kernel.records import Classifier
from kernel.store import Store, posts, repo


async def classify(store: Store, bus: Bus, classifier: Classifier | None, ids: list[int]) -> None:
    """Classify the posts with these ids and queue the flagged ones to ``geocode``."""
    found = await store.read(lambda s: posts.texts(s, ids))
    assert classifier is not None, "stage workers need a classifier"
    preds = await asyncio.to_thread(classifier.predict, [text for _, text, _ in found])
    version = getattr(classifier, "version", "unknown")
    predicted = [(post_id, pred) for (post_id, _, _), pred in zip(found, preds, strict=True)]

    def save(session: Session) -> list[int]:
        posts.save_predictions(session, predicted, version, utc_now())
        flagged = [post_id for post_id, pred in predicted if pred.label == "disaster"]
        repo.set_state(session, flagged, repo.CLASSIFIED)
        repo.set_state(session, [post_id for post_id, pred in predicted if pred.label != "disaster"], repo.DONE)
        return flagged

    for post_id in await store.write(save):
        await bus.put("geocode", post_id)
