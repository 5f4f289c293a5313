"""The publish stage's commands: ``bosai map`` (static offline map) and ``bosai i18n-compile``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add map and i18n-compile."""
    p = sub.add_parser("map", help="export a static offline map of incidents, gauges and shelters")
    p.add_argument("--output", type=Path, default=Path("map.html"), help="HTML file to write")
    p.add_argument("--no-shelters", action="store_true", help="leave the 4,000+ shelters out")
    p.set_defaults(func=export_map)
    p = sub.add_parser("i18n-compile", help="compile i18n/*/LC_MESSAGES/bosai.po to .mo files")
    p.set_defaults(func=compile_catalogs)


def export_map(args: argparse.Namespace) -> int:
    """Read the store named in the config and write the map."""
    from bosai.config import load_config
    from bosai.store import Store
    from publish.folium_map import build_map, load_from_store, load_shelters

    config = load_config(args.config)
    store = Store(config.store.url)
    try:
        with store.session() as session:
            incidents, readings = load_from_store(session)
            shelters = [] if args.no_shelters else load_shelters()
            m = build_map(incidents, readings, shelters, tile_url=config.web.tile_url,
                          attribution=config.web.tile_attribution)
            args.output.parent.mkdir(parents=True, exist_ok=True)
            m.save(str(args.output))
    finally:
        store.engine.dispose()
    sys.stdout.write(f"{args.output}: {len(incidents)} incidents, {len(readings)} gauges, "
                     f"{len(shelters)} shelters\n")
    return 0


def compile_catalogs(args: argparse.Namespace) -> int:
    """Write the .mo files (the build step; at run time the .po is compiled in memory if needed)."""
    from publish.catalog import compile_all

    for path in compile_all():
        sys.stdout.write(f"{path}\n")
    return 0
