"""The classifier's sub-commands, run through argparse as the bosai CLI does."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from classifier import commands


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bosai")
    parser.add_argument("--config", default=None)
    commands.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_all_commands_registered() -> None:
    parser = _parser()
    for argv in (
        ["train", "--epochs", "1"],
        ["evaluate"],
        ["classify", "--input", "a", "--output", "b"],
    ):
        assert callable(parser.parse_args(argv).func)


def test_classify_command_writes_contract(tiny_checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "x", "text": "停電した"}\n{oops\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = _parser().parse_args(
        ["classify", "--input", str(inp), "--output", str(out), "--model", str(tiny_checkpoint)]
    )
    assert args.func(args) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["x"]
    assert "line 2" in capsys.readouterr().err


def test_classify_command_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = _parser().parse_args(["classify", "--input", str(tmp_path / "none.jsonl"), "--output", "-"])
    assert args.func(args) == 2
    assert "not found" in capsys.readouterr().err


def test_train_command_refuses_an_unknown_pooling(corpus_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    args = _parser().parse_args(["train", "--data-dir", str(corpus_dir), "--pooling", "max",
                                 "--output", str(tmp_path / "m")])
    assert args.func(args) == 2
    assert "pooling must be one of ('cls', 'mean')" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_evaluate_command_writes_reports(tiny_checkpoint: Path, corpus_dir: Path, tmp_path: Path) -> None:
    args = _parser().parse_args(
        [
            "evaluate",
            "--model",
            str(tiny_checkpoint),
            "--data",
            str(corpus_dir / "test.jsonl"),
            "--output",
            str(tmp_path / "rep"),
            "--name",
            "fx",
        ]
    )
    assert args.func(args) == 0
    metrics = json.loads((tmp_path / "rep" / "fx_metrics.json").read_text(encoding="utf-8"))
    assert metrics["n"] == 16 and "ece" in metrics["calibration"]
    low, high = metrics["interval"]["disaster_f1"]
    assert low <= metrics["disaster"]["f1"] <= high and "against" not in metrics
    args = _parser().parse_args(["evaluate", "--model", str(tiny_checkpoint), "--against", str(tiny_checkpoint),
                                 "--data", str(corpus_dir / "test.jsonl"), "--output", str(tmp_path / "rep"),
                                 "--name", "fx"])
    assert args.func(args) == 0
    against = json.loads((tmp_path / "rep" / "fx_metrics.json").read_text(encoding="utf-8"))["against"]
    assert against["difference"]["disaster_f1"] == 0.0 and against["disaster_f1"] == [0.0, 0.0]
    for png in ("fx_confusion.png", "fx_reliability.png"):
        assert (tmp_path / "rep" / png).read_bytes()[:4] == b"\x89PNG"
