"""Ingest: persist the raw item first (idempotent on source + source_id), then queue it for its next stage."""

from __future__ import annotations

from bosai.bus import Bus
from bosai.context import utc_now
from kernel.records import Record
from kernel.store import Store, repo
from kernel.store.db import Batched


async def ingest(store: Store, bus: Bus, record: Record, raw: bytes) -> bool:
    """Persist the raw item, then queue it; False when it was already stored (a duplicate)."""
    item_id = await store.write(Batched(repo.save_raws, (record, raw, utc_now())))
    if item_id is None:
        return False  # the collector runner counts ingested and duplicate items per source
    await bus.put("classify" if record.kind == "post" else "observe", item_id)
    return True


async def reject(store: Store, source: str, source_id: str | None, raw: bytes, error: str) -> None:
    """Keep bad data from a source with the reason."""
    await store.write(lambda s: repo.save_reject(s, source, source_id, raw, error, utc_now()))
