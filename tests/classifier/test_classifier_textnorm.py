"""The one way a post's text is written down for the classifier, and the post forms training adds and evaluation
scores real sets in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from classifier.evaluate import evaluate_files, post_form_figures
from classifier.infer import load_classifier
from classifier.textnorm import MENTION_TOKEN, POST_FORMS, URL_TOKEN, normalise, with_post_forms


def test_normalise_nfkc_placeholders_and_spaces() -> None:
    text = "ＴＥＳＴ１２３　地震だ！\nhttps://t.co/abc?x=1 見て @taro_1 さん、メールは a@b.jp"
    assert normalise(text) == "TEST123 地震だ! [URL] 見て @user さん、メールは a@b.jp"
    assert normalise(normalise(text)) == normalise(text)  # the placeholders survive a second pass


def test_post_forms_are_seeded_and_take_the_share_asked_for() -> None:
    texts = [f"川が氾濫しそう {i}" for i in range(2000)]
    assert with_post_forms(texts, 0.0, 13) == texts
    once, again = with_post_forms(texts, 0.3, 13), with_post_forms(texts, 0.3, 13)
    assert once == again and once != with_post_forms(texts, 0.3, 14)
    changed = [(a, b) for a, b in zip(texts, once, strict=True) if a != b]
    assert 0.27 < len(changed) / len(texts) < 0.33
    forms_used = [[form.format(a) for form in POST_FORMS].index(b) for a, b in changed]  # each is one of them
    assert sorted(set(forms_used)) == [0, 1, 2, 3]
    assert all(URL_TOKEN in b or MENTION_TOKEN in b for _, b in changed)
    assert all(normalise(b) == b for _, b in changed)  # written as a served post would be


def test_a_served_post_reads_like_its_training_text(tiny_checkpoint: Path) -> None:
    clf = load_classifier(tiny_checkpoint, quantize=False)
    raw = ["RT @mie_bosai: 津市で道路が冠水 https://t.co/Ab12Cd34", "@taro_1  停電\nしてる"]
    written = ["RT @user: 津市で道路が冠水 [URL]", "@user 停電 してる"]
    np.testing.assert_array_equal(clf.predict_proba(raw, batch_size=1), clf.predict_proba(written, batch_size=1))
    assert not np.array_equal(clf.predict_proba(["停電してる"]), clf.predict_proba(["停電してる [URL]"]))


def test_a_real_set_is_scored_again_in_post_forms(tiny_checkpoint: Path, tmp_path: Path, monkeypatch) -> None:
    rows = [
        {"text": "川が氾濫して家が浸水してる", "label": "disaster", "categories": ["flood"], "kind": "flood"},
        {"text": "停電してる", "label": "disaster", "categories": ["power_water_outage"], "kind": "outage"},
        {"text": "今日のランチはカレー", "label": "other", "categories": [], "kind": "everyday"},
        {"text": "地震の夢を見た", "label": "other", "categories": [], "kind": "figurative"},
    ]
    data = tmp_path / "real.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    clf = load_classifier(tiny_checkpoint, quantize=False, threshold=0.0)  # flags every post
    metrics = evaluate_files(clf, [data], tmp_path / "eval", "real")
    assert metrics["post_forms"]["disaster_f1"] == metrics["disaster"]["f1"] == round(2 * 0.5 / 1.5, 4)
    assert metrics["post_forms"]["everyday_false_positive_rate"] == 1.0
    written = {r["text"] for r in rows} | {form.format(r["text"]) for r in rows for form in POST_FORMS}
    seen: list[str] = []
    strict = load_classifier(tiny_checkpoint, quantize=False, threshold=0.5)

    def nothing_flagged(texts: list[str], **_) -> np.ndarray:
        seen.extend(texts)
        return np.zeros((len(texts), strict.config.num_labels))

    monkeypatch.setattr(strict, "predict_proba", nothing_flagged)
    figures = post_form_figures(strict, rows)
    assert len(seen) == 4 and all(t in written and t not in {r["text"] for r in rows} for t in seen)
    assert figures["disaster_f1"] == 0.0 and figures["everyday_false_positive_rate"] == 0.0
    plain = [{k: v for k, v in r.items() if k != "kind"} for r in rows]  # a written set: no kinds
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in plain), encoding="utf-8")
    written_metrics = evaluate_files(clf, [data], tmp_path / "eval", "written")
    assert "everyday_false_positive_rate" not in written_metrics
    assert written_metrics["post_forms"]["everyday_false_positive_rate"] is None
    assert written_metrics["post_forms"]["disaster_f1"] == metrics["post_forms"]["disaster_f1"]
