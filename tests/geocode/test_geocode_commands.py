from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from geocode import commands
from kernel import reference

MIE_DATA = reference.current().directory  # the shipped copy of ../shared/data/mie


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=None)
    commands.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def test_geocode_writes_one_line_per_input_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text(
        "\n".join([
            json.dumps({"id": "a", "text": "四日市市富田で冠水"}, ensure_ascii=False),
            "{broken",
            json.dumps({"text": "熊本で地震"}, ensure_ascii=False),
            json.dumps({"id": 4, "text": "膝まで水", "geo": [34.9652, 136.6244]}, ensure_ascii=False),
            json.dumps({"id": 5, "text": 12}),
        ]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "places.jsonl"
    args = _parse("geocode", "--input", str(source), "--output", str(out),
                  "--gazetteer", str(tmp_path / "absent.json"))
    assert args.func(args) == 1  # bad lines are reported in the exit code
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", 2, 3, 4, 5]
    assert rows[0]["places"][0]["name"] == "富田"
    assert set(rows[0]["places"][0]) >= {"name", "kind", "lat", "lng", "confidence", "code"}
    assert "error" in rows[1] and rows[1]["places"] == []
    assert rows[2]["places"] == []
    assert rows[3]["places"][0]["kind"] == "geotag"
    assert "'text' must be a string" in rows[4]["error"]
    assert "5 texts" in capsys.readouterr().out


def test_bench_reports_texts_per_second(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text(json.dumps({"text": "津市で冠水"}, ensure_ascii=False) + "\n", encoding="utf-8")
    args = _parse("bench-geocode", "--input", str(source), "--texts", "50", "--json",
                  "--gazetteer", str(tmp_path / "absent.json"))
    assert args.func(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["texts"] == 50 and result["texts_per_s"] > 0 and result["with_places"] == 50


def test_gazetteer_build_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not (MIE_DATA / "towns.csv").exists():
        pytest.skip("../shared/data/mie is not here")
    out = tmp_path / "gazetteer.json"
    args = _parse("gazetteer", "build", "--source", str(MIE_DATA), "--output", str(out))
    assert args.func(args) == 0
    assert out.exists() and "town" in capsys.readouterr().out


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    from kernel.errors import BosaiError

    args = _parse("geocode", "--input", str(tmp_path / "none.jsonl"), "--output", str(tmp_path / "o.jsonl"))
    with pytest.raises(BosaiError, match="does not exist"):
        args.func(args)
