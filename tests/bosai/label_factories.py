"""Incidents with posts, for the tests of operators' verdicts (store, export, retraining flow)."""

from __future__ import annotations

from datetime import UTC, datetime

from kernel.records import Post
from kernel.store import Store, repo
from kernel.store.models import IncidentRow, PostRow


def seed_incidents(store: Store) -> dict[str, list[int]]:
    """Two incidents of three posts each: a real flood and a game chat grouped as a flood."""
    now = datetime.now(UTC)
    ids: dict[str, list[int]] = {}
    with store.session() as s, s.begin():
        for key, texts in {
            "flood": ["津市で道路が冠水して車が動けない", "岩田川があふれそう", "冠水、通勤どうしよう"],
            "game": ["冠水ってゲームの話ね", "このステージ水没するの草", "ゲームの洪水イベント楽しい"],
        }.items():
            inc = IncidentRow(hazard="flood", title=texts[0], lat=34.7, lng=136.5, place_name="津市",
                           first_seen=now, last_seen=now, updated_at=now, post_count=3)
            s.add(inc)
            s.flush()
            ids[key] = [inc.id]
            for i, text in enumerate(texts):
                post_id = repo.save_raw(s, Post(source="x", source_id=f"{key}{i}", observed_at=now, author="a",
                                                text=text), b"", now)
                s.get(PostRow, post_id).incident_id = inc.id
                ids[key].append(post_id)
    return ids


def classify(store: Store, scores: dict[int, float]) -> None:
    """Give posts the disaster scores, labels and categories the classifier would have stored."""
    with store.session() as s, s.begin():
        for post_id, score in scores.items():
            row = s.get(PostRow, post_id)
            row.score, row.label, row.model_version = score, "disaster" if score >= 0.5 else "other", "m-1"
            row.categories = [["flood", 0.7]] if score >= 0.5 else []
