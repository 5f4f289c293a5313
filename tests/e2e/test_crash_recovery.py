"""kill -9 in the middle of an ingest, then restart: nothing lost, nothing duplicated."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from kernel.store.models import PostRow, RawItem

SECRET = "crash-test-secret"
TEXTS = ["津市の国道23号が冠水して通れない", "四日市の海蔵川があふれそう、避難します", "鈴鹿で停電してる",
         "今日のランチおいしかった", "テスト勉強が地獄", "伊勢市で土砂崩れ、道がふさがってる"]


def _config(tmp_path) -> str:
    return f"""
[service]
data_dir = "{tmp_path}/var"
[store]
url = "sqlite:///{tmp_path}/var/bosai.db"
[[sources]]
kind = "webhook"
name = "hook"
secret_env = "BOSAI_TEST_HOOK_SECRET"
"""


def _send(url: str, i: int, session: requests.Session) -> bool:
    body = json.dumps({"id": f"post-{i}", "author": f"user{i % 17}", "text": f"{TEXTS[i % len(TEXTS)]} #{i}",
                       "created_at": "2026-09-20T09:00:00+09:00", "lang": "ja"}).encode()
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    try:
        r = session.post(f"{url}/webhook/hook", data=body, timeout=5, headers={
            "Content-Type": "application/json", "X-Bosai-Timestamp": ts, "X-Bosai-Signature": f"sha256={sig}"})
    except requests.RequestException:
        return False
    return 200 <= r.status_code < 300


@pytest.mark.slow
def test_kill_minus_9_twenty_times_loses_nothing_and_duplicates_nothing(service_factory, tmp_path):
    """20 kills at random points, each followed by a restart and by re-sending already acknowledged posts."""
    svc = service_factory(_config(tmp_path), {"BOSAI_TEST_HOOK_SECRET": SECRET})
    n = 500
    rng = random.Random(7)
    kill_at = sorted(rng.sample(range(10, n - 10), 20))
    acked: set[int] = set()
    http = requests.Session()
    svc.start()
    i = 0
    while i < n:
        if kill_at and i == kill_at[0]:
            kill_at.pop(0)
            svc.kill9()
            # resend a few already acknowledged posts after the restart: they must not be stored twice
            resend = rng.sample(sorted(acked), min(5, len(acked)))
            svc.start()
            for j in resend:
                assert _send(svc.url, j, http)
        if _send(svc.url, i, http):
            acked.add(i)
            i += 1
        else:
            time.sleep(0.1)  # the client retries until the service acknowledges
    engine = create_engine(f"sqlite:///{tmp_path}/var/bosai.db")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with Session(engine) as s:
            states = dict(s.execute(select(RawItem.state, func.count()).group_by(RawItem.state)).all())
        if states.get("done", 0) == n:
            break
        time.sleep(0.5)
    assert svc.terminate() == 0
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RawItem)) == n
        ids = s.scalars(select(RawItem.source_id)).all()
        assert sorted(ids) == sorted(f"post-{k}" for k in range(n))
        assert states == {"done": n}, states
        assert s.scalar(select(func.count()).select_from(PostRow).where(PostRow.label.is_(None))) == 0
