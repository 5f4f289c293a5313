"""Ingest benchmark: posts/s from a local X stream through the real collector into the store, and JMA
telegrams/s parsed from the official samples."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bosai.bench.common import X_TOKEN_ENV, load_texts
from bosai.bench.e2e import tweet


async def run_ingest(n_posts: int) -> dict[str, Any]:
    """Posts/s from a local X stream through the real collector into the store (raw + typed rows only),
    and JMA telegrams/s parsed from the official samples."""
    from bosai.bench.parse import bench_parse
    from bosai.demo.fake_sources import FakeSources
    from collectors import build_collectors
    from collectors.runner import CollectorRunner
    from kernel.metrics import Metrics
    from kernel.store import Store, repo
    from kernel.store.db import Batched

    texts = load_texts()
    with tempfile.TemporaryDirectory(prefix="bosai-bench-") as tmp:
        store = Store(f"sqlite:///{tmp}/ingest.db")
        store.upgrade()
        store.start()
        fakes = FakeSources()
        base = await fakes.start(host="127.0.0.1", port=0)
        os.environ[X_TOKEN_ENV] = "bench-token"
        stored = 0
        all_stored = asyncio.Event()

        async def sink(record: Any, raw: bytes) -> bool:
            nonlocal stored
            item = await store.write(Batched(repo.save_raws, (record, raw, datetime.now(UTC))))  # as Pipeline.ingest
            stored += item is not None
            if stored >= n_posts:
                all_stored.set()
            return item is not None

        async with aiohttp.ClientSession() as http:
            collectors = build_collectors(
                [{"kind": "x_stream", "name": "x_bench", "base_url": base, "token_env": X_TOKEN_ENV,
                  "allow_private": True, "sync_rules": False}], http, Path(tmp))
            runner = CollectorRunner(collectors, sink, Metrics())
            await runner.start()
            await asyncio.sleep(1.0)
            now = datetime.now(UTC)
            start = time.perf_counter()
            for i in range(n_posts):
                await fakes.push_x_post(tweet(i, texts[i % len(texts)], now))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_stored.wait(), 120)
            elapsed = time.perf_counter() - start
            await runner.stop()
        await fakes.stop()
        store.close()
    samples = await asyncio.to_thread(lambda: sorted(Path("../shared/data/jma/samples").glob("*.xml")))
    return {
        "posts_stored": stored,
        "ingest_posts_per_s": round(stored / elapsed, 1),
        "jma_entries_per_s": round(bench_parse(samples, 20), 1) if samples else None,
        "jma_samples": len(samples),
    }
