"""Operators' verdicts feed retraining as one flow: triage -> export-labels -> train --data -> evaluate; the
posts nobody judged that the classifier was least sure of join it through export-review and a labeller."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from classifier.evaluate import evaluate_files
from classifier.infer import load_classifier
from classifier.train import train

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bosai"))  # label_factories
from label_factories import classify, seed_incidents
from test_classifier_train import _args

from bosai.cli import main
from kernel.store import Store
from publish import triage


def test_verdicts_export_train_and_evaluate(corpus_dir: Path, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/ops.db")
    store.upgrade()
    ids = seed_incidents(store)
    with store.session() as s, s.begin():
        triage.confirm(s, ids["flood"][0], "op1", judged=ids["flood"][1:3])
        triage.dismiss(s, ids["game"][0], "op1", judged=[ids["game"][1]])
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\nurl = "{store.engine.url}"\n')
    decisions = tmp_path / "decisions.jsonl"
    assert main(["--config", str(cfg), "export-labels", "--output", str(decisions)]) == 0
    exported = [json.loads(line) for line in decisions.read_text(encoding="utf-8").splitlines()]
    assert [x["label"] for x in exported] == ["disaster", "disaster", "other"]

    classify(store, {ids["flood"][3]: 0.47, ids["game"][2]: 0.58, ids["game"][3]: 0.02})
    review = tmp_path / "review.jsonl"
    assert main(["--config", str(cfg), "export-review", "--output", str(review)]) == 0
    queue = [json.loads(line) for line in review.read_text(encoding="utf-8").splitlines()]
    assert [x["post_id"] for x in queue] == [ids["flood"][3], ids["game"][2]]
    queue[0].update(label="disaster", categories=["flood"])  # the labeller reads one post of the two
    review.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in queue), encoding="utf-8")

    args = _args(corpus_dir, tmp_path / "model", distill=False, pretrain_epochs=0)
    args.data.extra = [decisions, review]
    result = train(args)
    assert result["train"]["train_examples"] == 48 + 3 + 1  # the corpus, the three judged posts, the one labelled

    metrics = evaluate_files(load_classifier(tmp_path / "model", quantize=False), [decisions], tmp_path / "eval",
                             "operators")
    assert metrics["n"] == 3 and metrics["disaster"]["support"] == 2
    assert (tmp_path / "eval" / "operators_metrics.json").is_file()
