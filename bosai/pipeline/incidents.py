"""Incidents: fold, attach or open the incident of each placed disaster post; the post is then done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bosai.context import utc_now
from bosai.pipeline.events import Snapshot
from kernel.store import Store, posts, repo
from kernel.store.snapshots import incident_record, post_record
from publish import incidents


async def group(store: Store, ids: list[int], *, window: timedelta, radius_km: float,
                now: datetime) -> tuple[list[tuple[str, Snapshot]], list[float]]:
    """Attach the posts with these ids; return the placed posts and their incidents as committed, and each
    item's age in seconds since it was received."""

    def save(session: Session) -> tuple[list[tuple[str, Snapshot]], list[float]]:
        rows = posts.post_rows(session, ids)
        attached = incidents.attach_posts(session, rows, window=window, radius_km=radius_km, now=now)
        repo.set_state(session, ids, repo.DONE)
        snapshots: list[tuple[str, Snapshot]] = []
        for post, incident in zip(rows, attached, strict=True):
            if post.lat is not None:
                snapshots.append(("post", post_record(post)))
            if incident is not None:
                snapshots.append(("incident", incident_record(incident)))
        wall = utc_now()
        return snapshots, [(wall - received).total_seconds() for received in posts.received_at(session, ids)]

    return await store.write(save)
