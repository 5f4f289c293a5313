"""Measure incident grouping on labelled posts: pairwise precision and recall against true incident keys.

Issue 19 §1: grouping by distance alone joined posts about different places. The labelled set is
``publish/data/grouping_set.jsonl`` (posts written for this project, each with its ``incident_key``) plus the
demo's disaster posts (``bosai/demo/scenario/posts.jsonl``, whose generator writes the key). Each post runs
through the real geocoder and ``publish.incidents.attach_posts`` on a scratch SQLite store, in time order,
with its expected categories standing in for the classifier (so the figure is about grouping, not
classification). A pair of posts is predicted together when they land in one incident, truly together when
they share a key; posts that get no incident are alone.

    python -m publish.grouping_eval [--gazetteer var/gazetteer.json] [--json] [--mistakes N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

SET_FILE: Final = Path(__file__).resolve().parent / "data" / "grouping_set.jsonl"
DEMO_FILE: Final = Path(__file__).resolve().parents[1] / "bosai" / "demo" / "scenario" / "posts.jsonl"
DEFAULT_GAZETTEER: Final = Path("var/gazetteer.json")
TARGETS: Final = {"precision": 0.95, "recall": 0.80}
BATCH: Final = 16  # the pipeline attaches posts in small batches


@dataclass(frozen=True, slots=True)
class LabelledPost:
    """A post of the grouping set: its text, time, hazard categories and true incident key."""

    id: str
    set: str  # "written" or "demo"
    text: str
    at: datetime
    categories: tuple[str, ...]
    key: str
    geo: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """Pairwise figures of one set of posts."""

    posts: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float


def load_set(path: Path = SET_FILE, demo: Path | None = DEMO_FILE) -> list[LabelledPost]:
    """The written posts and (when ``demo`` is given) the demo's posts that carry a true incident key."""
    out = [_post(row, "written") for row in _jsonl(path)]
    if demo is not None:
        out += [_post(row, "demo") for row in _jsonl(demo) if row.get("incident_key")]
    return sorted(out, key=lambda p: (p.at, p.set, p.id))


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        yield from (json.loads(line) for line in fh if line.strip())


def _post(row: dict[str, Any], which: str) -> LabelledPost:
    cats = row.get("categories", row.get("expect", {}).get("categories", []))
    geo = row.get("geo")
    return LabelledPost(id=f"{which}:{row['id']}", set=which, text=str(row["text"]),
                        at=datetime.fromisoformat(row["time"]), categories=tuple(cats),
                        key=f"{which}|{row['incident_key']}",  # two sets, two days: no incident spans both
                        geo=(float(geo[0]), float(geo[1])) if geo else None)


def pairwise(predicted: dict[str, Any], truth: dict[str, str]) -> Score:
    """Pairwise precision and recall of a clustering (``predicted``: post -> cluster, None = alone)."""
    def pairs(labels: dict[str, Any]) -> set[tuple[str, str]]:
        groups: dict[Any, list[str]] = defaultdict(list)
        for post, label in labels.items():
            if label is not None:
                groups[label].append(post)
        return {(a, b) for members in groups.values() for i, a in enumerate(sorted(members))
                for b in sorted(members)[i + 1:]}

    ids = set(truth)
    pred = pairs({p: predicted.get(p) for p in ids})
    true = pairs({p: truth[p] for p in ids})
    correct = len(pred & true)
    return Score(posts=len(ids), true_pairs=len(true), predicted_pairs=len(pred), correct_pairs=correct,
                 precision=correct / len(pred) if pred else 1.0, recall=correct / len(true) if true else 1.0)


def group(posts: Sequence[LabelledPost], gazetteer: Path | None = DEFAULT_GAZETTEER, *,
          window_min: int = 90, radius_km: float = 3.0) -> dict[str, int | None]:
    """Run the posts through the geocoder and the incident grouping; post id -> incident id (None: alone)."""
    from geocode import load_geocoder
    from kernel.records import Post
    from kernel.store import Store
    from kernel.store.models import PostRow
    from kernel.store.repo import save_raw
    from publish.incidents import attach_posts

    geocoder = load_geocoder(gazetteer)
    out: dict[str, int | None] = {}
    with tempfile.TemporaryDirectory(prefix="grouping-eval-") as tmp:
        store = Store(f"sqlite:///{tmp}/eval.db")
        store.upgrade()
        try:
            with store.session() as session:
                for start in range(0, len(posts), BATCH):
                    chunk = posts[start:start + BATCH]
                    rows = []
                    for post in chunk:
                        record = Post(source="grouping_eval", source_id=post.id, observed_at=post.at,
                                      author="eval", text=post.text)
                        row = session.get(PostRow, save_raw(session, record, post.text.encode(), post.at))
                        places = geocoder.resolve(post.text, geo=post.geo)
                        best = places[0] if places else None
                        row.label, row.score = "disaster", 0.9
                        # The first expected category scores highest, as the classifier's top one would.
                        row.categories = [[c, round(0.9 - 0.1 * i, 2)] for i, c in enumerate(post.categories)]
                        row.places = [asdict(p) for p in places]
                        row.lat, row.lng = (best.lat, best.lng) if best else (None, None)
                        row.municipality = best.municipality if best else None
                        row.municipality_code = best.code if best else None
                        rows.append(row)
                    session.flush()
                    found = attach_posts(session, rows, window=timedelta(minutes=window_min), radius_km=radius_km,
                                         now=chunk[-1].at)
                    out.update((p.id, i.id if i is not None else None) for p, i in zip(chunk, found, strict=True))
                session.rollback()
        finally:
            store.close()
    return out


def evaluate(posts: Sequence[LabelledPost], gazetteer: Path | None = DEFAULT_GAZETTEER) -> dict[str, Any]:
    """Scores on all posts and on each set, with the targets and whether they are met."""
    predicted = group(posts, gazetteer)
    report: dict[str, Any] = {"targets": TARGETS, "gazetteer": str(gazetteer)}
    for name, subset in (("all", posts), *((s, [p for p in posts if p.set == s]) for s in ("written", "demo"))):
        if subset:
            report[name] = asdict(pairwise(predicted, {p.id: p.key for p in subset}))
    report["meets_targets"] = (report["all"]["precision"] >= TARGETS["precision"]
                               and report["all"]["recall"] >= TARGETS["recall"])
    report["_predicted"] = predicted
    return report


def mistakes(posts: Sequence[LabelledPost], predicted: dict[str, int | None], limit: int) -> list[str]:
    """Lines describing wrongly joined and wrongly split true incidents (for tuning)."""
    by_incident: dict[int, list[LabelledPost]] = defaultdict(list)
    by_key: dict[str, list[LabelledPost]] = defaultdict(list)
    for post in posts:
        if predicted.get(post.id) is not None:
            by_incident[predicted[post.id]].append(post)  # type: ignore[index]
        by_key[post.key].append(post)
    lines = [f"joined {sorted({p.key for p in ps})}: {[p.text[:30] for p in ps][:4]}"
             for ps in by_incident.values() if len({p.key for p in ps}) > 1]
    lines += [f"split {key}: {sorted({str(predicted.get(p.id)) for p in ps})} {[p.text[:30] for p in ps][:4]}"
              for key, ps in by_key.items() if len({predicted.get(p.id) for p in ps}) > 1]
    return lines[:limit]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; exit 1 when the targets are missed."""
    parser = argparse.ArgumentParser(prog="python -m publish.grouping_eval", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``python -m publish.grouping_eval`` and ``bosai grouping-eval``."""
    parser.add_argument("--set", type=Path, default=SET_FILE, help="labelled posts (JSON lines)")
    parser.add_argument("--no-demo", action="store_true", help="leave the demo scenario's posts out")
    parser.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER,
                        help="gazetteer file (default var/gazetteer.json, else the shipped one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--mistakes", type=int, default=0, metavar="N", help="also list N grouping mistakes")


def run(args: argparse.Namespace) -> int:
    """Evaluate and print (text or JSON)."""
    posts = load_set(args.set, None if args.no_demo else DEMO_FILE)
    report = evaluate(posts, args.gazetteer)
    predicted = report.pop("_predicted")
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        for name in ("all", "written", "demo"):
            if name in report:
                s = report[name]
                sys.stdout.write(f"{name:8s} posts={s['posts']:4d} true_pairs={s['true_pairs']:5d} "
                                 f"predicted_pairs={s['predicted_pairs']:5d} precision={s['precision']:.3f} "
                                 f"recall={s['recall']:.3f}\n")
        sys.stdout.write(f"targets precision>={TARGETS['precision']} recall>={TARGETS['recall']}: "
                         f"{'met' if report['meets_targets'] else 'MISSED'}\n")
    for line in mistakes(posts, predicted, args.mistakes):
        sys.stdout.write(line + "\n")
    return 0 if report["meets_targets"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
