"""The `bosai classify` JSONL contract."""

from __future__ import annotations

import io
import json
from pathlib import Path

from classifier.classify import classify_file, classify_stream
from classifier.infer import load_classifier


def test_contract_ids_bad_lines_and_order(tiny_checkpoint: Path) -> None:
    clf = load_classifier(tiny_checkpoint)
    src = io.StringIO(
        '{"id": "a1", "text": "川が氾濫してる"}\n'
        "this is not json\n"
        "\n"
        '{"text": "テストが地獄"}\n'
        '{"id": 7, "text": 5}\n'
        '["list"]\n'
        '{"id": 9, "text": "<script>停電</script>"}\n'
    )
    dst, err = io.StringIO(), io.StringIO()
    assert classify_stream(clf, src, dst, err=err, chunk=2) == 3
    rows = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a1", "4", "9"]
    assert rows[2]["text"] == "<script>停電</script>"
    for r in rows:
        assert set(r) == {"id", "text", "label", "score", "categories"}
        assert r["label"] in ("disaster", "other") and 0 <= r["score"] <= 1
        assert all(set(c) == {"name", "score"} for c in r["categories"])
    messages = err.getvalue().splitlines()
    assert [m.split(":")[1].strip() for m in messages] == ["line 2", "line 5", "line 6"]


def test_classify_file_writes_one_line_per_good_input(tiny_checkpoint: Path, tmp_path: Path) -> None:
    inp = tmp_path / "posts.jsonl"
    inp.write_text("".join(json.dumps({"text": f"投稿{i}"}) + "\n" for i in range(130)), encoding="utf-8")
    n = classify_file(load_classifier(tiny_checkpoint), inp, tmp_path / "preds.jsonl", batch_size=16)
    lines = (tmp_path / "preds.jsonl").read_text(encoding="utf-8").splitlines()
    assert n == 130 == len(lines)
    assert json.loads(lines[-1])["id"] == "130"
