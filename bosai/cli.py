"""The ``bosai`` command: one sub-command for everything a user does; stages contribute their own."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from kernel.errors import BosaiError
from kernel.logs import setup_logging

log = logging.getLogger(__name__)

# Each module has register(subparsers); the wiring package's own commands come first.
COMMAND_MODULES = (
    "bosai.commands",
    "collectors.commands",
    "classifier.commands",
    "geocode.commands",
    "publish.commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The top parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="bosai", description="Bosai Watch disaster-information service")
    parser.add_argument("--config", default=None, help="config file (default: the repository's config.toml)")
    parser.add_argument("--log-level", default=None, help="override service.log_level")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the chosen command; errors end with a clear one-line message."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_level or "INFO")
    try:
        return int(args.func(args) or 0)
    except BosaiError as err:
        sys.stderr.write(f"bosai {args.command}: error: {err}\n")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
