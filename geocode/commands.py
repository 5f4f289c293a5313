"""CLI: ``bosai geocode``, ``bosai gazetteer build`` and ``bosai bench-geocode``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kernel.config import load_config
from kernel.errors import BosaiError

DEFAULT_BENCH = Path(__file__).resolve().parent.parent / "tests" / "geocode" / "geocode_cases.jsonl"


def register(sub: argparse._SubParsersAction) -> None:
    """Add geocode, gazetteer (build) and bench-geocode."""
    p = sub.add_parser("geocode", help="find places in texts (JSONL in, JSONL out)")
    p.add_argument("--input", required=True, type=Path, help='JSONL of {"id"?, "text", "geo"?: [lat, lng]}')
    p.add_argument("--output", required=True, type=Path, help="JSONL of {id, text, places} (best first)")
    p.add_argument("--gazetteer", type=Path, default=None, help="gazetteer file (default: geocoder.gazetteer)")
    p.set_defaults(func=geocode)

    p = sub.add_parser("gazetteer", help="gazetteer store")
    gsub = p.add_subparsers(dest="gazetteer_command", required=True, metavar="ACTION")
    b = gsub.add_parser("build", help="import the Mie open data into the gazetteer store")
    b.add_argument("--source", type=Path, default=None,
                   help="folder with towns.csv, ... (SOURCES.md; default: reference.dir)")
    b.add_argument("--output", type=Path, default=None, help="output file (default: geocoder.gazetteer)")
    b.set_defaults(func=gazetteer_build)

    p = sub.add_parser("bench-geocode", help="geocoding throughput in texts/s")
    p.add_argument("--input", type=Path, default=DEFAULT_BENCH, help="JSONL with a 'text' per line")
    p.add_argument("--gazetteer", type=Path, default=None, help="gazetteer file (default: geocoder.gazetteer)")
    p.add_argument("--texts", type=int, default=20000, help="texts to geocode (the input is cycled)")
    p.add_argument("--json", action="store_true", help="print one JSON line")
    p.set_defaults(func=bench)


def _geocoder(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from geocode import load_geocoder

    path = args.gazetteer or load_config(args.config).geocoder.gazetteer
    return load_geocoder(path)


def geocode(args: argparse.Namespace) -> int:
    """Geocode a JSONL file; lines that cannot be read are written back with an error."""
    from geocode.jsonl import geocode_file

    if not args.input.exists():
        raise BosaiError(f"input file {args.input} does not exist")
    written, errors = geocode_file(_geocoder(args), args.input, args.output)
    sys.stdout.write(f"geocoded {written} texts into {args.output} ({errors} bad lines)\n")
    return 1 if errors else 0


def gazetteer_build(args: argparse.Namespace) -> int:
    """Build the full gazetteer from the open-data folder."""
    from geocode.build import build

    config = load_config(args.config)
    output = args.output or config.geocoder.gazetteer
    counts = build(args.source or config.reference.dir, output)
    summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
    sys.stdout.write(f"wrote {output}: {summary}\n")
    return 0


def bench(args: argparse.Namespace) -> int:
    """Time ``resolve`` over the input texts (after loading) and print texts/s."""
    from geocode.jsonl import read_items

    if not args.input.exists():
        raise BosaiError(f"bench input {args.input} does not exist")
    texts = [item.text for item in read_items(args.input) if item.text]
    if not texts:
        raise BosaiError(f"no texts in {args.input}")
    t0 = time.perf_counter()
    geocoder = _geocoder(args)
    load_s = time.perf_counter() - t0
    geocoder.resolve(texts[0])  # warm the tagger
    n = max(1, args.texts)
    start = time.perf_counter()
    found = sum(1 for i in range(n) if geocoder.resolve(texts[i % len(texts)]))
    elapsed = time.perf_counter() - start
    result = {"texts": n, "seconds": round(elapsed, 3), "texts_per_s": round(n / elapsed, 1),
              "with_places": found, "load_s": round(load_s, 3), "gazetteer": geocoder.gazetteer.origin,
              "entries": len(geocoder.entries)}
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        sys.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()) + "\n")
    return 0
