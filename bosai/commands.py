"""The wiring package's commands: serve, db, operator, bench, bench-classify, export-labels, export-review."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from kernel.config import load_config
from kernel.extras import require
from kernel.logs import setup_logging


def register(sub: argparse._SubParsersAction) -> None:
    """Add serve, db, operator, bench, bench-classify, export-labels and export-review."""
    p = sub.add_parser("serve", help="run the service (collectors, pipeline, web app)")
    p.add_argument("--port", type=int, default=None, help="HTTP port (default: service.port)")
    p.add_argument("--demo", action="store_true", help="replay the built-in heavy-rain day from local sources")
    p.add_argument("--role", default="all", choices=["all", "collector", "worker", "web"],
                   help="which part of the service this process runs (scale-out needs bus.kind = redis)")
    p.set_defaults(func=serve)

    p = sub.add_parser("db", help="database migrations")
    p.add_argument("action", choices=["upgrade", "current"])
    p.set_defaults(func=db)

    p = sub.add_parser("operator", help="create or update a command-center operator")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--municipality", default=None, metavar="JIS",
                   help="restrict to one municipality's evacuation information and shelters (5-digit JIS code, "
                        "e.g. 24201); without it the operator acts for the whole prefecture")
    p.set_defaults(func=operator)

    p = sub.add_parser("bench", help="benchmarks: e2e (default), ingest, classify, workers")
    p.add_argument("target", nargs="?", default="e2e", choices=["e2e", "ingest", "classify", "workers"])
    p.add_argument("--workers", default="1,2,4", help="workers: worker-process counts to compare")
    p.add_argument("--store-url", default=None, help="workers: store shared by the processes (PostgreSQL)")
    p.add_argument("--rate", type=float, default=300.0, help="e2e: posts/s offered by the local stream")
    p.add_argument("--duration", type=float, default=30.0, help="e2e: seconds of offered load")
    p.add_argument("--burst", type=float, default=0.0, help="e2e: after the steady load, this many times the rate")
    p.add_argument("--burst-seconds", type=float, default=10.0, help="e2e: length of the burst")
    p.add_argument("--posts", type=int, default=2000, help="ingest/classify: number of posts")
    p.add_argument("--texts", type=Path, default=None, metavar="JSONL",
                   help='classify: posts ({"text": ...} lines) to measure on instead of the test and hand-written sets')
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.set_defaults(func=bench)

    p = sub.add_parser("bench-classify", help="classifier throughput next to a transformers pipeline")
    p.add_argument("--model", type=Path, default=None)
    p.add_argument("--posts", type=int, default=2000)
    p.add_argument("--texts", type=Path, default=None, metavar="JSONL", help='posts ({"text": ...} lines) to use')
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.set_defaults(func=bench_classify)

    p = sub.add_parser("export-labels", help="export operators' confirm/dismiss decisions as training JSONL")
    p.add_argument("--output", required=True, type=Path)
    p.set_defaults(func=export_labels)

    p = sub.add_parser("export-review", help="export the posts the classifier was least sure of, unlabelled, for "
                                             "labelling by hand (its misses never reach the operators)")
    p.add_argument("--output", required=True, type=Path)
    p.add_argument("--limit", type=int, default=500, help="most posts to export (default 500)")
    p.add_argument("--band", type=float, default=0.25,
                   help="how far from the served disaster threshold a score may lie (default 0.25)")
    p.set_defaults(func=export_review)


def serve(args: argparse.Namespace) -> int:
    """Run the service until SIGTERM/SIGINT."""
    from bosai.service import Service

    config = load_config(args.config)
    setup_logging(args.log_level or config.service.log_level, config.service.log_format)
    asyncio.run(Service(config, demo=args.demo, role=args.role).run_forever(port=args.port))
    return 0


def db(args: argparse.Namespace) -> int:
    """Upgrade the schema or print its revision."""
    from kernel.store import Store
    from kernel.store.migrate import current

    store = Store(load_config(args.config).store.url)
    if args.action == "upgrade":
        store.upgrade()
    print(current(store.engine))  # noqa: T201 - command output
    store.engine.dispose()
    return 0


def operator(args: argparse.Namespace) -> int:
    """Create an operator; the password comes from stdin, never from the command line."""
    from bosai.web.auth import create_operator
    from kernel.store import Store

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else _prompt()
    if len(password) < 8:
        sys.stderr.write("bosai operator: error: password must have at least 8 characters\n")
        return 2
    store = Store(load_config(args.config).store.url)
    store.upgrade()
    store.start()
    try:
        asyncio.run(create_operator(store, args.username, password, municipality_code=args.municipality))
    finally:
        store.close()
    return 0


def _prompt() -> str:
    import getpass

    return getpass.getpass("password: ")


def bench(args: argparse.Namespace) -> int:
    """Run a benchmark and print a short table (and the JSON line with --json)."""
    from bosai.bench import e2e, ingest

    config = load_config(args.config)
    if args.target == "classify":
        from bosai.bench.classify import run_bench

        return int(run_bench(config.classifier.model_dir, args.posts, args.json, args.texts) or 0)
    if args.target == "ingest":
        summary = asyncio.run(ingest.run_ingest(args.posts))
    elif args.target == "workers":
        require("scale", "bosai bench workers (Redis bus, PostgreSQL store)", ("redis", "psycopg"))
        from bosai.bench.workers import run_workers_bench

        counts = [int(n) for n in args.workers.split(",")]
        summary = run_workers_bench(counts, args.posts, args.store_url or config.store.url, config.bus.redis_url)
    else:
        summary = asyncio.run(e2e.run_e2e(
            args.rate, args.duration, burst_factor=args.burst, burst_s=args.burst_seconds, base_config=config,
        )).summary()
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")  # noqa: T201 - command output
    if args.json:
        print(json.dumps(summary))  # noqa: T201 - command output
    return 0


def bench_classify(args: argparse.Namespace) -> int:
    """Benchmark the classifier against a transformers pipeline over the same checkpoint."""
    from bosai.bench.classify import run_bench

    return run_bench(args.model or load_config(args.config).classifier.model_dir, args.posts, args.json, args.texts)


def export_labels(args: argparse.Namespace) -> int:
    """Write one training line per post of every confirmed or dismissed incident."""
    from classifier.examples import decisions_to_examples
    from kernel.store import Store
    from kernel.store.labels import decision_rows

    store = Store(load_config(args.config).store.url)
    with store.session() as session:
        rows = decision_rows(session)
    _write_jsonl(args.output, decisions_to_examples(rows), "examples")
    store.engine.dispose()
    return 0


def export_review(args: argparse.Namespace) -> int:
    """Write the unjudged posts scored nearest the served threshold, with empty labels to fill in by hand."""
    from kernel.store import Store
    from kernel.store.labels import review_rows

    if args.limit < 1 or not 0.0 < args.band <= 1.0:
        sys.stderr.write("bosai export-review: error: --limit must be at least 1 and --band in (0, 1]\n")
        return 2
    config = load_config(args.config)
    store = Store(config.store.url)
    with store.session() as session:
        rows = review_rows(session, threshold=config.classifier.threshold, band=args.band, limit=args.limit)
    _write_jsonl(args.output, rows, "posts to label")
    store.engine.dispose()
    return 0


def _write_jsonl(path: Path, rows: list[dict], what: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} {what} written to {path}")  # noqa: T201 - command output
