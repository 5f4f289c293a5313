"""Operators' decisions become training data: store rows -> `bosai export-labels` JSONL -> classifier examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bosai.cli import main
from bosai.records import Post
from bosai.store import Store, repo
from bosai.store.labels import decision_rows
from bosai.store.models import Incident, PostRow


def _seed(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session() as s, s.begin():
        for i, (text, status, hazard) in enumerate([
            ("津市で道路が冠水して車が動けない", "confirmed", "flood"),
            ("冠水ってゲームの話ね", "dismissed", "flood"),
            ("まだ確認していない投稿", "unverified", "fire"),
        ]):
            post_id = repo.save_raw(s, Post(source="x", source_id=str(i), observed_at=now, author="a", text=text),
                                    b"", now)
            inc = Incident(hazard=hazard, title=text, lat=34.7, lng=136.5, place_name="津市", status=status,
                           first_seen=now, last_seen=now, updated_at=now, post_count=1)
            s.add(inc)
            s.flush()
            post = s.get(PostRow, post_id)
            post.incident_id, post.categories = inc.id, [["road_blocked", 0.7]]


def test_decision_rows_carry_the_operator_decision(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/t.db")
    store.upgrade()
    _seed(store)
    with store.session() as s:
        rows = decision_rows(s)
    assert [(r["text"], r["decision"]) for r in rows] == [
        ("津市で道路が冠水して車が動けない", "confirm"), ("冠水ってゲームの話ね", "dismiss")]
    assert rows[0]["categories"] == ["flood", "road_blocked"]


def test_export_labels_command_writes_training_jsonl(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/t.db")
    store.upgrade()
    _seed(store)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{tmp_path}/t.db"\n')
    out = tmp_path / "decisions.jsonl"
    assert main(["--config", str(cfg), "export-labels", "--output", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["label"], x["text"]) for x in lines] == [
        ("disaster", "津市で道路が冠水して車が動けない"), ("other", "冠水ってゲームの話ね")]
    assert "flood" in lines[0]["categories"] and lines[1]["categories"] == []
