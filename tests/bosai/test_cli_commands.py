"""The wiring's commands are registered on the one `bosai` parser, with their handlers."""

from __future__ import annotations

from bosai.cli import build_parser
from bosai.commands import bench, bench_classify


def test_bench_commands_are_registered_with_their_handlers() -> None:
    parser = build_parser()
    assert parser.parse_args(["bench-classify", "--posts", "10"]).func is bench_classify
    args = parser.parse_args(["bench", "e2e", "--rate", "5"])
    assert args.func is bench and args.rate == 5
