"""``bosai parse``: one JSON line per file, in order, failures reported and skipped."""

from __future__ import annotations

import argparse
import json

from collector_paths import FIXTURES

from collectors.commands import register


def test_parse_command_prints_one_line_per_file(tmp_path, capsys) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    bad = tmp_path / "bad.xml"
    bad.write_text("<Report>", encoding="utf-8")
    files = [str(FIXTURES / "mie_vxse53_earthquake.xml"), str(bad), str(FIXTURES / "mie_vxww50_landslide.xml")]
    args = parser.parse_args(["parse", *files])
    assert args.func(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["file"] for line in lines] == files
    assert [line["ok"] for line in lines] == [True, False, True]
    assert lines[0]["info_kind"] == "地震情報" and lines[0]["report_datetime"] == "2026-09-12T21:03:00+09:00"
    assert lines[0]["records"][0]["magnitude"] == 4.8
    assert "error" in lines[1] and "records" not in lines[1]
