"""The publish stage's commands: ``bosai map``, ``bosai i18n-compile`` and ``bosai relay`` (a dry run)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    """Add map, boundaries build, i18n-compile and relay."""
    p = sub.add_parser("map", help="export a static offline map of incidents, gauges and shelters")
    p.add_argument("--output", type=Path, default=Path("map.html"), help="HTML file to write")
    p.add_argument("--no-shelters", action="store_true", help="leave the 4,000+ shelters out")
    p.set_defaults(func=export_map)
    p = sub.add_parser("boundaries", help="the shipped municipal boundaries of the offline map")
    bsub = p.add_subparsers(dest="boundaries_command", required=True, metavar="ACTION")
    b = bsub.add_parser("build", help="rebuild publish/data/boundaries.geojson from the N03 open data")
    b.add_argument("--source", type=Path, default=None, help="N03 GeoJSON (default: the shared open data)")
    b.add_argument("--output", type=Path, default=None, help="output file (default: the shipped copy)")
    b.set_defaults(func=build_boundaries)
    p = sub.add_parser("i18n-compile", help="compile every catalog, i18n/*/LC_MESSAGES/*.po, to .mo files")
    p.set_defaults(func=compile_catalogs)
    p = sub.add_parser("relay", help="print the alerts JMA telegrams would produce, one JSON line per alert")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="JMA XML telegrams")
    p.add_argument("--all-areas", action="store_true", help="relay areas outside the configured ones too")
    p.add_argument("--lang", default="ja", help="language of the headline (default ja)")
    p.set_defaults(func=relay_files)
    p = sub.add_parser("grouping-eval", help="pairwise precision and recall of incident grouping on the labelled set")
    from publish import grouping_eval

    grouping_eval.add_arguments(p)
    p.set_defaults(func=grouping_eval.run)


def export_map(args: argparse.Namespace) -> int:
    """Read the store named in the config and write the map."""
    from kernel.config import load_config
    from kernel.store import Store
    from kernel.store.incidents import open_incidents
    from kernel.store.observations import latest_gauges
    from publish.folium_map import build_map, load_shelters

    config = load_config(args.config)
    store = Store(config.store.url)
    try:
        with store.session() as session:
            incidents, readings = open_incidents(session), latest_gauges(session)
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


def build_boundaries(args: argparse.Namespace) -> int:
    """Simplify and normalise the N03 boundaries into the copy the package ships (docs/maps.md)."""
    from kernel.config import load_config
    from kernel.errors import BosaiError
    from kernel.reference import ReferenceData
    from publish.boundaries import BOUNDARIES_FILE, build

    source = args.source or ReferenceData(load_config(args.config).reference.dir).path("boundaries.geojson")
    output = args.output or BOUNDARIES_FILE
    if not source.exists():
        raise BosaiError(f"boundary source {source} does not exist (see docs/maps.md)")
    sizes = build(source, output)
    sys.stdout.write(f"{output}: {sizes['features']} municipalities, {sizes['bytes']} bytes "
                     f"({sizes['gzip_bytes']} gzipped)\n")
    return 0


def compile_catalogs(args: argparse.Namespace) -> int:
    """Write the .mo files (the build step; at run time the .po is compiled in memory if needed)."""
    from publish.catalog import compile_all

    for path in compile_all():
        sys.stdout.write(f"{path}\n")
    return 0


def relay_files(args: argparse.Namespace) -> int:
    """Parse each telegram and print its planned alerts as the service would relay them to a fresh store.

    Exit status 1 when a file could not be read or parsed (its error is printed as a JSON line too).
    """
    from kernel.config import load_config
    from publish.catalog import check_language

    check_language(args.lang)
    areas = None if args.all_areas else load_config(args.config).publish.jma_areas
    failed = 0
    for path in args.files:
        for line in relay_lines(path, areas, args.lang):
            failed += "error" in line
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 1 if failed else 0


def relay_lines(path: Path, areas: list[str] | None, lang: str) -> list[dict[str, Any]]:
    """The ``bosai relay`` lines of one file (an error line when it is not a readable telegram)."""
    from collectors.jma_xml import parse_report
    from kernel.errors import SourceDataError
    from kernel.store.snapshots import alert_record
    from publish.alerts import planned_alert_row
    from publish.messages import render_alert
    from publish.relay import plan_report

    try:
        report = parse_report(path.read_bytes(), source="file", source_id=path.name)
    except (OSError, SourceDataError) as err:
        return [{"file": str(path), "error": f"{type(err).__name__}: {err}"}]
    lines = []
    for planned in plan_report(report, areas).alerts:
        row = planned_alert_row(path.stem, report, planned, "Cancel" if planned.lifted else "Alert")
        lines.append({
            "file": str(path), "event": row.event, "kind_code": planned.spec.code, "level": row.level,
            "hazard": row.hazard, "msg_type": row.msg_type, "references": [],
            "expires": row.expires.isoformat() if row.expires else None,
            "areas": [{"code": a["code"], "name": a["name"]} for a in row.areas],
            "headline": render_alert(alert_record(row), lang).headline,
        })
    return lines
