"""Example validation, targets and operator decisions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from classifier.examples import decisions_to_examples, load_examples, targets, training_targets, validate_example
from classifier.labels import CATEGORIES


def test_decisions_become_examples() -> None:
    rows = [
        {"id": 1, "text": "堤防から水があふれてる", "decision": "confirm", "categories": ["flood", "bogus"]},
        {"id": 2, "text": "映画の話", "decision": "dismiss", "categories": ["fire"]},
        {"id": 3, "text": "屋根が飛んだ", "decision": "confirm"},
        {"id": 4, "text": "  ", "decision": "confirm"},
        {"id": 5, "text": "保留", "decision": "maybe"},
    ]
    out = decisions_to_examples(rows)
    assert [(e["id"], e["label"], e["categories"]) for e in out] == [
        (1, "disaster", ["flood"]),
        (2, "other", []),
        (3, "disaster", ["other_damage"]),
    ]
    assert all(validate_example(e) for e in out)
    assert {e["source"] for e in out} == {"operator"}


def test_ambiguous_posts_train_on_a_softer_disaster_target() -> None:
    row = {"text": "電車止まってる", "label": "disaster", "categories": ["other_damage"]}
    assert training_targets(row) == targets(row) and targets(row)[0] == 1.0
    soft = training_targets({**row, "ambiguous": True})
    assert soft[0] == 0.75 and soft[1:] == targets(row)[1:]
    assert training_targets({"text": "無事です", "label": "other", "categories": [], "ambiguous": True})[0] == 0.25
    assert targets({**row, "ambiguous": True})[0] == 1.0  # evaluation keeps the hard label
    assert training_targets({**row, "ambiguous": True}, ambiguous_target=1.0) == targets(row)  # the ablation's


def test_news_reports_train_the_disaster_output_only() -> None:
    row = {"text": "熊本で震度7、家屋倒壊", "label": "disaster", "categories": ["earthquake", "other_damage"]}
    news = training_targets({**row, "register": "news"})
    assert news[0] == 1.0 and len(news) == len(targets(row))
    assert all(math.isnan(v) for v in news[1:])  # unknown, not "no category"
    assert training_targets({**row, "register": "post"}) == targets(row)


def test_known_bce_leaves_unknown_targets_out() -> None:
    import torch

    from classifier.distill import known_bce

    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]])
    full = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    unknown = full.clone()
    unknown[0, 1:] = float("nan")
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, full)
    assert torch.isclose(known_bce(logits, full), expected)
    kept = torch.tensor([True, False, False, True, True, True])
    partial = torch.nn.functional.binary_cross_entropy_with_logits(logits.flatten()[kept], full.flatten()[kept])
    assert torch.isclose(known_bce(logits, unknown), partial)
    assert not torch.isnan(known_bce(logits, unknown))


def test_validate_and_targets() -> None:
    ok = validate_example({"text": " 停電 ", "label": "disaster", "categories": ["power_water_outage"]})
    assert ok["text"] == "停電"
    vec = targets(ok)
    assert len(vec) == 1 + len(CATEGORIES) and vec[0] == 1.0 and sum(vec) == 2.0
    assert validate_example({"text": "猫", "label": "other", "categories": ["fire"]})["categories"] == []
    for bad, msg in [
        ({"label": "other"}, "text"),
        ({"text": "x", "label": "maybe"}, "label"),
        ({"text": "x", "label": "disaster"}, "at least one"),
        ({"text": "x", "label": "disaster", "categories": ["meteor"]}, "unknown"),
    ]:
        with pytest.raises(ValueError, match=msg):
            validate_example(bad)


def test_load_examples_skips_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text('{"text": "a", "label": "other"}\n{broken\n\n{"text": "b", "label": "nope"}\n', encoding="utf-8")
    assert [e["text"] for e in load_examples([f])] == ["a"]


def test_real_post_rates_count_false_positives_by_kind_of_post() -> None:
    import numpy as np

    from classifier.evaluate import real_post_rates

    rows = [{"label": "other", "kind": "everyday"}, {"label": "other", "kind": "everyday"},
            {"label": "other", "kind": "figurative"}, {"label": "disaster", "kind": "flood"}]
    rates = real_post_rates(rows, np.array([True, False, True, True]))
    assert rates == {"everyday_false_positive_rate": 0.5, "everyday_n": 2,
                     "hard_negative_false_positive_rate": 1.0, "hard_negative_n": 1}
    assert real_post_rates([{"label": "other"}], np.array([True])) == {}
