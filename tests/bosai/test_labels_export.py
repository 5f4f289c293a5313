"""Operators' verdicts become training data: triage -> post_judgements -> `bosai export-labels` JSONL.

Only the posts an operator judged are labels; the rest of a confirmed incident's posts are not. The posts the
classifier was least sure of, which no operator judged, go out unlabelled for labelling by hand
(`bosai export-review`).
"""

from __future__ import annotations

import json

import pytest
from label_factories import classify, seed_incidents

from bosai.cli import main
from classifier.examples import load_examples
from kernel.store import Store
from kernel.store.labels import NotInIncident, decision_rows, review_rows
from kernel.store.models import IncidentRow, PostRow
from publish import triage


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


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
    cfg.write_text(f'[store]\nurl = "{_url(store)}"\n')
    out = tmp_path / "decisions.jsonl"
    assert main(["--config", str(cfg), "export-labels", "--output", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["label"], x["text"], x["categories"]) for x in lines] == [
        ("disaster", "津市で道路が冠水して車が動けない", ["flood"]), ("other", "冠水ってゲームの話ね", [])]
    assert {x["source"] for x in lines} == {"operator"} and lines[0]["post_id"] == ids["flood"][1]


def test_the_review_queue_holds_unjudged_posts_nearest_the_threshold_first(store) -> None:
    ids = seed_incidents(store)
    flood, game = ids["flood"], ids["game"]
    classify(store, {flood[1]: 0.97, flood[2]: 0.55, flood[3]: 0.38, game[1]: 0.49, game[2]: 0.62, game[3]: 0.05})
    with store.session() as s, s.begin():
        triage.dismiss(s, game[0], "op1", judged=[game[2]])  # judged: an operator's verdict, not a review item
    with store.session() as s:
        rows = review_rows(s, threshold=0.5, band=0.25, limit=10)
    # 0.97 and 0.05 are too sure to need a reader; 0.62 was judged; the rest come nearest-first.
    assert [(r["post_id"], r["score"], r["predicted"]) for r in rows] == [
        (game[1], 0.49, "other"), (flood[2], 0.55, "disaster"), (flood[3], 0.38, "other")]
    assert all(r["label"] is None and r["categories"] == [] and r["source"] == "review" for r in rows)
    assert rows[1]["predicted_categories"] == ["flood"] and rows[1]["model_version"] == "m-1"
    with store.session() as s:
        assert [r["post_id"] for r in review_rows(s, threshold=0.5, band=0.25, limit=2)] == [game[1], flood[2]]


def test_the_review_queue_leaves_out_reposts_and_unclassified_posts(store) -> None:
    ids = seed_incidents(store)
    flood = ids["flood"]
    classify(store, {flood[1]: 0.45, flood[2]: 0.52})
    with store.session() as s, s.begin():
        s.get(PostRow, flood[2]).text = " 津市で道路が冠水して車が動けない"  # the same words as flood[1], reposted
    with store.session() as s:
        rows = review_rows(s, threshold=0.5, band=0.5, limit=10)
    # One copy of the words, the one nearest the threshold; flood[3] and the game posts were never classified.
    assert [r["post_id"] for r in rows] == [flood[2]]


def test_export_review_writes_posts_to_label_and_unfilled_lines_do_not_train(store, tmp_path, capsys) -> None:
    ids = seed_incidents(store)
    classify(store, {ids["flood"][2]: 0.41, ids["game"][1]: 0.58})
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\nurl = "{_url(store)}"\n[classifier]\nthreshold = 0.6\n')
    out = tmp_path / "review.jsonl"
    assert main(["--config", str(cfg), "export-review", "--output", str(out), "--band", "0.3"]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [x["text"] for x in lines] == ["冠水ってゲームの話ね", "岩田川があふれそう"]  # 0.02 then 0.19 from 0.6
    lines[1].update(label="disaster", categories=["flood"])  # the labeller reads one and leaves the other
    out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    examples = load_examples([out])
    assert [(x["text"], x["label"], x["categories"]) for x in examples] == [
        ("岩田川があふれそう", "disaster", ["flood"])]
    assert "line=1 error=not labelled yet" in capsys.readouterr().err
    assert main(["--config", str(cfg), "export-review", "--output", str(out), "--band", "0"]) == 2
