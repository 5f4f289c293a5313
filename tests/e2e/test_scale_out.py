"""Scale-out: one collector and two worker processes on Redis Streams and PostgreSQL; one worker is
killed mid-stream and every post is still processed exactly once."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from kernel.store.models import IncidentRow, PostRow, RawItem

SECRET = "scale-out-secret"
TEXTS = ["津市の国道23号が冠水して通れない", "四日市の海蔵川があふれそう", "鈴鹿市で停電してる",
         "今日のランチおいしかった", "テスト勉強が地獄", "伊勢市で土砂崩れ、道がふさがってる"]
REDIS_URL = os.environ.get("BOSAI_TEST_REDIS_URL")


def _post(url: str, i: int) -> bool:
    body = json.dumps({"id": f"p{i}", "author": f"u{i % 13}", "text": f"{TEXTS[i % len(TEXTS)]} ({i})",
                       "created_at": "2026-09-20T10:00:00+09:00"}).encode()
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"X-Bosai-Timestamp": ts, "X-Bosai-Signature": f"sha256={sig}", "Content-Type": "application/json"}
    try:
        return requests.post(f"{url}/webhook/hook", data=body, headers=headers, timeout=10).ok
    except requests.RequestException:
        return False


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_one_killed_every_post_processed_once(service_factory, tmp_path, pg_url):
    if not REDIS_URL:
        if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1":
            pytest.fail("BOSAI_TEST_REDIS_URL is not set")
        pytest.skip("Redis not configured (run scripts/test.sh)")
    db_url = pg_url
    config = f"""
[service]
data_dir = "{tmp_path}/var"
[store]
url = "{db_url}"
[bus]
kind = "redis"
redis_url = "{REDIS_URL}"
redis_prefix = "so{uuid.uuid4().hex[:8]}"
reclaim_idle_s = 5
[[sources]]
kind = "webhook"
name = "hook"
secret_env = "BOSAI_TEST_HOOK_SECRET"
"""
    env = {"BOSAI_TEST_HOOK_SECRET": SECRET}
    collector = service_factory(config, env)
    collector.start("--role", "collector")
    workers = [service_factory(config, env) for _ in range(2)]
    for w in workers:
        w.start("--role", "worker")
    n = 240
    for i in range(n):
        while not _post(collector.url, i):
            time.sleep(0.1)
        if i == n // 3:
            workers[0].kill9()
    engine = create_engine(db_url)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with Session(engine) as s:
            done = s.scalar(select(func.count()).select_from(RawItem).where(RawItem.state == "done"))
        if done == n:
            break
        time.sleep(0.5)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RawItem)) == n
        assert done == n
        assert s.scalar(select(func.count()).select_from(PostRow).where(PostRow.label.is_(None))) == 0
        attached = s.scalar(select(func.count()).select_from(PostRow).where(PostRow.incident_id.is_not(None)))
        counted = s.scalar(select(func.sum(IncidentRow.post_count + IncidentRow.duplicate_count)))
        assert attached > 0 and counted == attached  # no post counted twice
    engine.dispose()
    assert workers[1].terminate() == 0
    assert collector.terminate() == 0
