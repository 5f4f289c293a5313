"""The real, hand-labelled test set (issue 15): labels by locator, texts joined from public repository mirrors.

The posts are real tweets kept in public GitHub repositories that grant no licence to redistribute them, so
the project commits only labels and locators (``classifier/data/real_test_labels.jsonl``): for each post
``source`` = ``owner/name@commit:path`` and ``locator`` = ``{"path", "index"[, "record_id"]}`` (the index of
the record in that file's JSON array) plus ``text_sha1`` of the text. ``build`` reads each file at the
recorded commit from the bare mirrors that the ``fetch`` tool writes (``<mirrors>/<owner>+<name>/repo``),
HTML-unescapes the tweet text, checks the hash and writes the evaluation file
``{"id", "text", "label", "categories", "source", "kind", "ambiguous"?, "note"?}`` that
``bosai evaluate --data ... --name real`` reads. It fails, naming the repositories, when a mirror, a commit
or a record is missing, and never falls back to another version of a file.

``report`` joins ``bosai classify`` predictions with the set and prints the figures per kind of post
(false-positive rate on the everyday posts, recall per disaster category). Never train, calibrate or select
models on this set (see ``classifier/data/DATASHEET.md``).

    python -m classifier.realtest build --mirrors /work/.mirror --output var/realtest/real_test.jsonl
    python -m classifier.realtest report --data var/realtest/real_test.jsonl --predictions preds.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from classifier.examples import DATA_DIR, validate_example
from classifier.labels import CATEGORIES, DISASTER, LABELS
from classifier.scoring import prf

LABELS_FILE = DATA_DIR / "real_test_labels.jsonl"
EVERYDAY = "everyday"


class MirrorError(RuntimeError):
    """A mirror, commit, file or record needed to rebuild the set is missing or differs."""


def load_labels(path: Path = LABELS_FILE) -> list[dict[str, Any]]:
    """The committed label rows, in file order."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def check_label_row(row: dict[str, Any]) -> None:
    """Raise ValueError when a label row breaks the schema (label, categories, source, locator)."""
    for key in ("id", "label", "categories", "source", "locator", "kind"):
        if key not in row:
            raise ValueError(f"{row.get('id')}: missing {key!r}")
    if row["label"] not in LABELS:
        raise ValueError(f"{row['id']}: bad label {row['label']!r}")
    cats = row["categories"]
    if row["label"] == DISASTER and not cats:
        raise ValueError(f"{row['id']}: a disaster post needs categories")
    if row["label"] != DISASTER and cats:
        raise ValueError(f"{row['id']}: categories on a non-disaster post")
    if any(c not in CATEGORIES for c in cats) or len(set(cats)) != len(cats):
        raise ValueError(f"{row['id']}: bad categories {cats}")
    repo, _, rest = row["source"].partition("@")
    commit, _, path = rest.partition(":")
    if repo.count("/") != 1 or len(commit) != 40 or path != row["locator"].get("path"):
        raise ValueError(f"{row['id']}: source must be owner/name@<40-hex commit>:<locator path>")
    if not isinstance(row["locator"].get("index"), int):
        raise ValueError(f"{row['id']}: locator needs an integer index")


def parse_source(source: str) -> tuple[str, str, str]:
    """Split ``owner/name@commit:path``."""
    repo, _, rest = source.partition("@")
    commit, _, path = rest.partition(":")
    return repo, commit, path


def git_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a fetched mirror of ``owner/name``, or None when it is not there."""
    base = Path(mirrors) / repo.replace("/", "+")
    for cand in (base / "repo" / ".git", base / "repo", base):
        if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
            return cand
    return None


def _records(gitdir: Path, commit: str, path: str) -> list[Any]:
    """The JSON array in ``path`` at ``commit``; old Twitter archives wrap it in ``Grailbird.data... =``."""
    proc = subprocess.run(
        ["git", "--git-dir", str(gitdir), "show", f"{commit}:{path}"], capture_output=True, check=False
    )
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip()
        raise MirrorError(f"{gitdir}: cannot read {commit}:{path} ({msg})")
    body = proc.stdout.decode("utf-8")
    return json.loads(body[body.index("[") :])


def record_text(record: Any) -> str:
    """The post text of one archive record, HTML entities (&gt; &amp;) decoded as shown on Twitter."""
    return html.unescape(record["text"]).strip()


def build(labels: list[dict[str, Any]], mirrors: Path) -> list[dict[str, Any]]:
    """Join label rows with their texts from the mirrors; raise MirrorError naming what is missing."""
    repos = sorted({parse_source(r["source"])[0] for r in labels})
    dirs = {repo: git_dir(mirrors, repo) for repo in repos}
    missing = [repo for repo, d in dirs.items() if d is None]
    if missing:
        raise MirrorError(
            f"mirrors missing under {mirrors}: {', '.join(missing)} "
            "(fetch them with the fetch tool, github:<owner>/<name>, then rerun)"
        )
    cache: dict[tuple[str, str, str], list[Any]] = {}
    out, problems = [], []
    for row in labels:
        repo, commit, path = parse_source(row["source"])
        key = (repo, commit, path)
        try:
            if key not in cache:
                cache[key] = _records(dirs[repo], commit, path)
            loc = row["locator"]
            record = cache[key][loc["index"]]
            if "record_id" in loc and record.get("id") != loc["record_id"]:
                raise MirrorError(f"record {loc['index']} of {path} is {record.get('id')!r}, not {loc['record_id']!r}")
            text = record_text(record)
            if (
                "text_sha1" in row
                and hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest() != row["text_sha1"]
            ):
                raise MirrorError(f"text of {path}[{loc['index']}] differs from the labelled one")
        except (MirrorError, IndexError, ValueError, KeyError) as exc:
            problems.append(f"{row['id']} ({repo}): {exc}")
            continue
        example = {"id": row["id"], "text": text, "label": row["label"], "categories": list(row["categories"])}
        example.update({k: row[k] for k in ("source", "kind", "ambiguous", "note") if k in row})
        out.append(validate_example(example))
    if problems:
        head = "\n  ".join(problems[:20])
        raise MirrorError(f"{len(problems)} posts could not be rebuilt:\n  {head}")
    return out


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write rows as JSON lines, creating the directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def composition(labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by label, category, kind and source repository."""
    cats: Counter[str] = Counter(c for r in labels for c in r["categories"])
    return {
        "n": len(labels),
        "labels": dict(Counter(r["label"] for r in labels)),
        "everyday": sum(r["kind"] == EVERYDAY for r in labels),
        "ambiguous": sum(bool(r.get("ambiguous")) for r in labels),
        "categories": {c: cats[c] for c in CATEGORIES},
        "kinds": dict(Counter(r["kind"] for r in labels).most_common()),
        "sources": dict(Counter(parse_source(r["source"])[0] for r in labels).most_common()),
    }


def report(data: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures of ``bosai classify`` predictions on the set, overall and per kind of post."""
    pred = {p["id"]: p for p in predictions}
    missing = [r["id"] for r in data if r["id"] not in pred]
    if missing:
        raise ValueError(f"{len(missing)} posts have no prediction, e.g. {missing[:3]}")
    tp = fp = fn = tn = 0
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in data:
        said = pred[r["id"]]["label"] == DISASTER
        gold = r["label"] == DISASTER
        tp, fp, fn, tn = (
            tp + (said and gold),
            fp + (said and not gold),
            fn + (gold and not said),
            tn + (not said and not gold),
        )
        per_kind[r["kind"]][0] += said
        per_kind[r["kind"]][1] += 1
    p = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    unamb = [r for r in data if not r.get("ambiguous")]
    out = {
        "n": len(data),
        "disaster": {
            "precision": round(p, 4),
            "recall": round(rec, 4),
            "f1": round(2 * p * rec / max(p + rec, 1e-9), 4),
        },
        "everyday_false_positive_rate": round(per_kind[EVERYDAY][0] / max(per_kind[EVERYDAY][1], 1), 4),
        "hard_negative_false_positive_rate": round(
            sum(v[0] for k, v in per_kind.items() if k != EVERYDAY and k not in CATEGORIES)
            / max(sum(v[1] for k, v in per_kind.items() if k != EVERYDAY and k not in CATEGORIES), 1),
            4,
        ),
        "said_disaster_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(per_kind.items())},
        "unambiguous_n": len(unamb),
    }
    hits = sum(pred[r["id"]]["label"] == r["label"] for r in unamb)
    out["unambiguous_accuracy"] = round(hits / max(len(unamb), 1), 4)
    return out


def _is_disaster(rows: list[dict[str, Any]]) -> np.ndarray:
    return np.array([r["label"] == DISASTER for r in rows], dtype=bool)


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Agreement of two yes/no labellings beyond what their rates alone would give by chance."""
    observed = float(np.mean(a == b))
    chance = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def agreement(first: list[dict[str, Any]], second: list[dict[str, Any]],
              predictions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """How far a second labelling of the same posts agrees with the first, and, given ``bosai classify``
    predictions, how the model scores against each labeller and on the posts both labellers agree on.

    One labeller's F1 against the other is the most a model can be expected to reach against either: it
    separates what the labelling rule leaves open from what the model gets wrong. Category agreement is over the
    posts both call disasters, averaged over the categories either labeller used there.
    """
    by_id = {r["id"]: r for r in second}
    missing = [r["id"] for r in first if r["id"] not in by_id]
    if missing or len(by_id) != len(first):
        raise ValueError(f"the second labelling must cover the same {len(first)} posts; missing e.g. {missing[:3]}")
    second = [by_id[r["id"]] for r in first]
    a, b = _is_disaster(first), _is_disaster(second)
    clear = np.array([not (r.get("ambiguous") or s.get("ambiguous")) for r, s in zip(first, second, strict=True)])
    both = np.flatnonzero(a & b)
    used = [c for c in CATEGORIES if any(c in first[i]["categories"] or c in second[i]["categories"] for i in both)]
    per_category = {c: prf(np.array([c in second[i]["categories"] for i in both], dtype=bool),
                           np.array([c in first[i]["categories"] for i in both], dtype=bool))["f1"] for c in used}
    out: dict[str, Any] = {
        "n": len(first),
        "disaster": {"first": int(a.sum()), "second": int(b.sum())},
        "agreement": round(float(np.mean(a == b)), 4),
        "kappa": round(cohen_kappa(a, b), 4),
        "second_against_first": prf(b, a),
        "neither_ambiguous": {"n": int(clear.sum()), "second_against_first": prf(b[clear], a[clear])},
        "categories_on_both_disaster": {
            "n": len(both),
            "macro_f1": round(float(np.mean(list(per_category.values()))), 4) if per_category else None,
            "f1": per_category,
        },
    }
    if predictions is not None:
        said = {p["id"]: p["label"] == DISASTER for p in predictions}
        if any(r["id"] not in said for r in first):
            raise ValueError("every labelled post needs a prediction")
        m = np.array([said[r["id"]] for r in first], dtype=bool)
        agreed = a == b
        out["model"] = {
            "against_first": prf(m, a),
            "against_second": prf(m, b),
            "on_agreed_posts": {"n": int(agreed.sum()), **prf(m[agreed], a[agreed])},
            "neither_ambiguous": {"n": int(clear.sum()), **prf(m[clear], a[clear])},
        }
    return out


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


DEV_LABELS_FILE = DATA_DIR / "real_dev_labels.jsonl"
TRAIN_LABELS_FILE = DATA_DIR / "real_train_labels.jsonl"


def join_collection(labels: list[dict[str, Any]], realtext: Path) -> list[dict[str, Any]]:
    """A set drawn from the real collection (the dev set, the real training set): labels joined by id
    with the collection's texts, each text's hash checked."""
    wanted = {row["id"]: row for row in labels}
    rows: dict[str, dict[str, Any]] = {}
    with gzip.open(realtext, "rt", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            row = wanted.get(item["id"])
            if row is None:
                continue
            if hashlib.sha1(item["text"].encode("utf-8"), usedforsecurity=False).hexdigest() != row["text_sha1"]:
                raise MirrorError(f"{item['id']}: text differs from the labelled one (rebuild realtext?)")
            rows[item["id"]] = {**row, "text": item["text"], "source": item["source"],
                                "register": item.get("register", "post")}
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise MirrorError(f"{len(missing)} labelled posts not in {realtext}, e.g. {missing[:3]}")
    return [rows[row["id"]] for row in labels]


def main(argv: list[str] | None = None) -> int:
    """Command line: build the evaluation file from mirrors, show the composition, or report predictions."""
    ap = argparse.ArgumentParser(prog="python -m classifier.realtest", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="join labels with texts from the repository mirrors")
    b.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="folder of fetched mirrors")
    b.add_argument("--labels", type=Path, default=LABELS_FILE)
    b.add_argument("--output", type=Path, default=Path("var/realtest/real_test.jsonl"))
    for name, labels_file, output in (("build-dev", DEV_LABELS_FILE, "var/realdev/real_dev.jsonl"),
                                      ("build-train", TRAIN_LABELS_FILE, "var/realtrain/real_train.jsonl")):
        d = sub.add_parser(name, help=f"join {labels_file.name} with the real unlabelled collection")
        d.add_argument("--realtext", type=Path, default=Path("var/realtext/realtext.jsonl.gz"))
        d.add_argument("--labels", type=Path, default=labels_file)
        d.add_argument("--output", type=Path, default=Path(output))
    s = sub.add_parser("stats", help="composition of the label file")
    s.add_argument("--labels", type=Path, default=LABELS_FILE)
    r = sub.add_parser("report", help="figures of bosai classify predictions on the built set")
    r.add_argument("--data", type=Path, default=Path("var/realtest/real_test.jsonl"))
    r.add_argument("--predictions", type=Path, required=True)
    g = sub.add_parser("agreement", help="agreement of a second labelling with the first (and the model's "
                                         "figures against each, with --predictions)")
    g.add_argument("--first", type=Path, default=LABELS_FILE)
    g.add_argument("--second", type=Path, required=True)
    g.add_argument("--predictions", type=Path, help="bosai classify output on the same posts")
    args = ap.parse_args(argv)
    if args.cmd == "agreement":
        preds = _read_jsonl(args.predictions) if args.predictions else None
        try:
            out = agreement(load_labels(args.first), load_labels(args.second), preds)
        except ValueError as exc:
            sys.stderr.write(f"realtest agreement: error: {exc}\n")
            return 2
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        return 0
    if args.cmd in ("build", "build-dev", "build-train"):
        labels = load_labels(args.labels)
        try:
            if args.cmd == "build":
                for row in labels:
                    check_label_row(row)
                rows = build(labels, args.mirrors)
            else:
                rows = join_collection(labels, args.realtext)
        except (MirrorError, OSError) as exc:
            sys.stderr.write(f"realtest {args.cmd}: error: {exc}\n")
            return 2
        write_jsonl(rows, args.output)
        sys.stdout.write(json.dumps({"output": str(args.output), "n": len(rows)}) + "\n")
        return 0
    if args.cmd == "stats":
        sys.stdout.write(json.dumps(composition(load_labels(args.labels)), ensure_ascii=False, indent=1) + "\n")
        return 0
    out = report(_read_jsonl(args.data), _read_jsonl(args.predictions))
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
