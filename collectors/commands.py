"""CLI sub-commands of the collectors stage: ``bosai parse FILE...`` (JMA XML, offline)."""

from __future__ import annotations

import argparse
import json
import sys

from collectors.jma_xml import parse_file_result


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``parse`` to the ``bosai`` command line."""
    parser = subparsers.add_parser(
        "parse", help="parse JMA disaster XML files offline; one JSON line per file",
        description="Parse JMA disaster XML telegrams and print one JSON line per file, in order. "
                    "A file that fails gives ok:false with the reason; the others go on.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="JMA XML telegram files")
    parser.set_defaults(func=run_parse)


def run_parse(args: argparse.Namespace) -> int:
    """Print the measurement line of each file; exit 0 (failures are reported per line, never abort)."""
    for path in args.files:
        sys.stdout.write(json.dumps(parse_file_result(path), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0
