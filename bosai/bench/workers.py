"""Scale-out benchmark: posts/s of N worker processes sharing the stages over Redis Streams.

For each N the store is filled with the same posts and their ids are queued on a fresh Redis prefix;
then N ``bosai serve --role worker`` processes start together and the clock runs until every post is
done. The figures are a ratio to N = 1 measured in the same run.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bosai.bench.common import load_texts
from bosai.redis_bus import RedisBus
from kernel.records import Post
from kernel.store import Store, repo

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _fill(store: Store, bus: RedisBus, texts: list[str], run: str) -> None:
    now = datetime.now(UTC)
    for i, text in enumerate(texts):
        post = Post(source="bench", source_id=f"{run}-{i}", observed_at=now, author=f"u{i % 50}", text=text)
        item_id = await store.write(lambda s, p=post: repo.save_raw(s, p, b"", now))
        await bus.put("classify", item_id)


def _done(store: Store, run: str) -> int:
    with store.session() as s:
        return repo.post_items(s, repo.DONE, f"{run}-")


def measure(n_workers: int, n_posts: int, store_url: str, redis_url: str, timeout_s: float = 600) -> float:
    """Posts/s of ``n_workers`` processes over ``n_posts`` queued posts."""
    prefix = f"benchw{uuid.uuid4().hex[:8]}"
    run = prefix
    texts = [f"{t} ({i})" for i, t in enumerate((load_texts() * 10)[:n_posts])]
    store = Store(store_url)
    store.upgrade()
    store.start()
    bus = RedisBus(redis_url, prefix=prefix, maxlen=n_posts + 1)

    async def fill() -> None:
        await bus.setup()
        await _fill(store, bus, texts, run)
        await bus.close()

    asyncio.run(fill())
    with tempfile.TemporaryDirectory(prefix="bosai-benchw-") as tmp:
        cfg = Path(tmp) / "config.toml"
        cfg.write_text(
            f'[service]\ndata_dir = "{tmp}/var"\nlog_level = "WARNING"\n[store]\nurl = "{store_url}"\n'
            f'[bus]\nkind = "redis"\nredis_url = "{redis_url}"\nredis_prefix = "{prefix}"\n'
            f"queue_size = {n_posts + 1}\n"
        )
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        start = time.monotonic()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bosai.cli", "--config", str(cfg), "serve", "--role", "worker",
                 "--port", str(_port())], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(n_workers)
        ]
        first: tuple[float, int] | None = None  # when the first post was done, and how many then
        try:
            while (done := _done(store, run)) < n_posts:
                if time.monotonic() - start > timeout_s:
                    raise TimeoutError(f"{n_workers} workers did not finish {n_posts} posts in {timeout_s}s")
                if first is None and done:
                    first = (time.monotonic(), done)
                time.sleep(0.1)
            end = time.monotonic()
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(60)
    store.close()
    t0, done0 = first or (start, 0)
    return (n_posts - done0) / (end - t0)


def run_workers_bench(workers: list[int], n_posts: int, store_url: str, redis_url: str) -> dict[str, Any]:
    """Posts/s for each N, timed from the first post done (model loading excluded), and the ratio to N = 1."""
    rates = {n: measure(n, n_posts, store_url, redis_url) for n in workers}
    base = rates.get(1) or next(iter(rates.values()))
    return {
        "posts": n_posts,
        **{f"workers_{n}_posts_per_s": round(r, 1) for n, r in rates.items()},
        **{f"workers_{n}_ratio": round(r / base, 2) for n, r in rates.items()},
        "cpus": os.cpu_count(),
    }
