"""Operators' verdicts become training data: triage -> post_judgements -> `bosai export-labels` JSONL.

Only the posts an operator judged are labels; the rest of a confirmed incident's posts are not.
"""

from __future__ import annotations

import json

import pytest
from label_factories import seed_incidents

from bosai.cli import main
from kernel.store import Store
from kernel.store.labels import NotInIncident, decision_rows
from kernel.store.models import IncidentRow
from publish import triage


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    store.upgrade()
    return store


def test_only_the_judged_posts_of_a_decided_incident_become_labels(store) -> None:
    ids = seed_incidents(store)
    flood, game = ids["flood"], ids["game"]
    with store.session() as s, s.begin():
        triage.confirm(s, flood[0], "op1", judged=[flood[1]])
        triage.dismiss(s, game[0], "op1", judged=[game[1], game[2]])
    with store.session() as s:
        rows = decision_rows(s)
    assert [(r["post_id"], r["decision"], r["categories"]) for r in rows] == [
        (flood[1], "confirm", ["flood"]), (game[1], "dismiss", []), (game[2], "dismiss", [])]
    # The flood incident's other two posts were grouped, never read: no label for them.
    assert not {flood[2], flood[3]} & {r["post_id"] for r in rows}


def test_a_later_verdict_replaces_an_earlier_one_and_strangers_are_refused(store) -> None:
    ids = seed_incidents(store)
    game, flood = ids["game"], ids["flood"]
    with store.session() as s, s.begin():
        triage.dismiss(s, game[0], "op1", judged=[game[1]])
        triage.reopen(s, game[0], "op2")
        triage.confirm(s, game[0], "op2", judged=[game[1]])
    with store.session() as s:
        assert [(r["decision"], r["actor"]) for r in decision_rows(s)] == [("confirm", "op2")]
    with pytest.raises(NotInIncident, match="not in incident"), store.session() as s, s.begin():
        triage.confirm(s, flood[0], "op1", judged=[game[2]])
    with store.session() as s:
        assert s.get(IncidentRow, flood[0]).status == "unverified"  # the refused decision was rolled back


def test_confirming_without_judged_posts_labels_nothing(store) -> None:
    ids = seed_incidents(store)
    with store.session() as s, s.begin():
        triage.confirm(s, ids["flood"][0], "op1")
    with store.session() as s:
        assert decision_rows(s) == []


def test_export_labels_command_writes_training_jsonl(store, tmp_path) -> None:
    ids = seed_incidents(store)
    with store.session() as s, s.begin():
        triage.confirm(s, ids["flood"][0], "op1", judged=[ids["flood"][1]])
        triage.dismiss(s, ids["game"][0], "op1", judged=[ids["game"][1]])
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\nurl = "{store.engine.url}"\n')
    out = tmp_path / "decisions.jsonl"
    assert main(["--config", str(cfg), "export-labels", "--output", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["label"], x["text"], x["categories"]) for x in lines] == [
        ("disaster", "津市で道路が冠水して車が動けない", ["flood"]), ("other", "冠水ってゲームの話ね", [])]
    assert {x["source"] for x in lines} == {"operator"} and lines[0]["post_id"] == ids["flood"][1]
