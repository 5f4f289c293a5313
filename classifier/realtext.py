"""Real Japanese unlabelled text from public repositories (issue 15): a recipe, not a copy.

Our labelled corpus is synthetic (see classifier/data/DATASHEET.md), so the model never sees how people
really write. This module rebuilds a collection of real posts and short texts (disaster-time tweets,
bulletin-board posts, typed chat, web-page leads, requests, everyday sentences) for distillation toward
a teacher, domain adaptation and mining hard negatives. Several sources may not be redistributed, so
the texts are never committed: every source is pinned to a repository and commit, and
``python -m classifier.realtext build --mirrors /work/.mirror --output var/realtext/realtext.jsonl.gz``
rebuilds the same file from fetched snapshots (bare git directories, read with ``git cat-file``, the
batch form of ``git show <commit>:<path>``).

Every text is NFKC-normalised, URLs and @mentions become placeholders, texts under 5 or over 400
characters, texts without Japanese, exact and near-exact duplicates (same characters once punctuation,
spaces, symbols, digits and stretched letters are ignored) and anything that also appears in our own
corpus files (classifier/data) are dropped.

Held out for independent evaluation and never read here: toropoo-web/kumamoto-disaster-x-feed,
toropoo-web/kumamoto-disaster-portal, ids-cv/wrime (and every copy of WRIME, e.g. nakatuba/wrime-lstm),
OkamotoHironao/flame_analysis, yasaidev/koume-dayuu-dataset, dsajgiouawj/TweetArchive, ruedap/daplog.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import re
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from classifier.realtext_readers import MirrorMissingError, Snapshot, find_mirror
from classifier.realtext_sources import SOURCES, Source
from classifier.textnorm import MENTION_TOKEN, URL_TOKEN, normalise

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_OUTPUT = Path("var/realtext/realtext.jsonl.gz")

MIN_CHARS = 5
MAX_CHARS = 400

# Repositories kept out of every recipe: they feed the reviewers' independent evaluation.
HELD_OUT: tuple[str, ...] = (
    "toropoo-web/kumamoto-disaster-x-feed",
    "toropoo-web/kumamoto-disaster-portal",
    "ids-cv/wrime",
    "nakatuba/wrime-lstm",
    "OkamotoHironao/flame_analysis",
    "yasaidev/koume-dayuu-dataset",
    "dsajgiouawj/TweetArchive",
    "ruedap/daplog",
)


# ---------------------------------------------------------------- normalisation and filters

# Hiragana and katakana letters, not the middle dot, iteration marks or half-width forms (NFKC folds them).
_KANA_RE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u31f0-\u31ff]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
_KANJI_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RUN_RE = re.compile(r"(.)\1+")
_PLACEHOLDER_RE = re.compile(re.escape(URL_TOKEN) + "|" + re.escape(MENTION_TOKEN))


def has_japanese(text: str) -> bool:
    """Japanese enough to keep: at least as many kana and kanji as Latin words (two kanji a Latin word when
    there is no kana at all, as in Chinese), and two of them at the least.

    Counting Latin words rather than letters keeps 「避難中 (新宿中央公園 (Shinjuku Central Park))」, a
    Japanese post with a romanised check-in, and drops English or Chinese posts with one Japanese word.
    """
    body = _PLACEHOLDER_RE.sub("", text)
    kana = len(_KANA_RE.findall(body))
    kanji = len(_KANJI_RE.findall(body))
    latin = len(_LATIN_WORD_RE.findall(body))
    if kana == 0:
        return kanji >= max(2 * latin, 2)
    return kana + kanji >= max(latin, 2)


def near_key(text: str) -> str:
    """Key under which near-exact duplicates collide.

    Case, punctuation, symbols, emoji, spaces, placeholders and digit values are ignored and stretched
    letters count once (「でけえええ」 = 「でけえ」), so retweet-style copies and reposts with another link or
    another number fall together.
    """
    body = _PLACEHOLDER_RE.sub("", unicodedata.normalize("NFKC", text)).lower()
    kept = []
    for ch in body:
        cat = unicodedata.category(ch)
        if cat[0] in "PSZC":
            continue
        kept.append("0" if cat == "Nd" else ch)
    return _RUN_RE.sub(r"\1", "".join(kept))


def drop_reason(text: str) -> str | None:
    """Why a normalised text is not kept (None: keep it)."""
    if len(text) < MIN_CHARS:
        return "too_short"
    if len(text) > MAX_CHARS:
        return "too_long"
    if not has_japanese(text):
        return "not_japanese"
    if len(near_key(text)) < 3:
        return "too_short"
    return None


def own_corpus_keys(paths: Iterable[Path]) -> set[str]:
    """Near-duplicate keys of every text in our own corpus files (JSONL with "text", or plain text lines).

    A real text that matches one of them is dropped, so nothing we train or test on reappears as
    "unlabelled" text.
    """
    keys: set[str] = set()
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                text = line
                if path.name.endswith((".jsonl", ".jsonl.gz")):
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    text = row.get("text", "") if isinstance(row, dict) else ""
                if text:
                    keys.add(near_key(text))
    keys.discard("")
    return keys


def real_test_keys(mirrors: Path) -> set[str]:
    """Near keys of the real hand-labelled test set, rebuilt from the same mirrors: it shares sources with
    this collection (the 2011 tweets), and no test post may come back as training text."""
    from classifier.realtest import build as build_real_test
    from classifier.realtest import load_labels

    return {near_key(normalise(row["text"])) for row in build_real_test(load_labels(), mirrors)} - {""}


def default_own_corpus(data_dir: Path = DATA_DIR) -> list[Path]:
    """Our corpus files: every classifier/data/*.jsonl plus the generated unlabelled text."""
    paths = sorted(data_dir.glob("*.jsonl"))
    unlabelled = data_dir / "unlabelled.txt.gz"
    if unlabelled.exists():
        paths.append(unlabelled)
    return paths


# ---------------------------------------------------------------- build


@dataclass
class SourceStats:
    """What happened to one source's texts."""

    raw: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str) -> None:
        """Count one dropped text."""
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def _rank(name: str, text: str) -> str:
    return hashlib.sha1(f"{name}\0{text}".encode(), usedforsecurity=False).hexdigest()


def select_texts(
    name: str,
    raw: Iterable[str],
    seen: set[str],
    leak_keys: set[str],
    cap: int | None = None,
    stats: SourceStats | None = None,
) -> list[str]:
    """Normalise and filter one source's raw texts; ``seen`` (near keys already taken) is updated.

    With a cap, a fixed hash-ranked sample is kept, in first-seen order, so rebuilding gives the same texts.
    """
    stats = stats if stats is not None else SourceStats()
    cands: list[tuple[str, str]] = []
    local: set[str] = set()
    for item in raw:
        stats.raw += 1
        text = normalise(item)
        reason = drop_reason(text)
        if reason is None:
            key = near_key(text)
            if key in leak_keys:
                reason = "in_own_corpus"
            elif key in seen or key in local:
                reason = "duplicate"
            else:
                local.add(key)
                cands.append((text, key))
        if reason is not None:
            stats.drop(reason)
    if cap is not None and len(cands) > cap:
        chosen = {t for t, _ in sorted(cands, key=lambda c: _rank(name, c[0]))[:cap]}
        stats.dropped["over_cap"] = len(cands) - cap
        cands = [c for c in cands if c[0] in chosen]
    seen.update(k for _, k in cands)
    stats.kept = len(cands)
    return [t for t, _ in cands]


def open_snapshot(mirrors: Path, src: Source) -> Snapshot:
    """The pinned snapshot of a source, or MirrorMissingError naming the repository and commit."""
    if src.repo in HELD_OUT:
        raise ValueError(f"{src.repo} is held out for independent evaluation and must not be read")
    git_dir = find_mirror(mirrors, src.repo)
    if git_dir is None:
        raise MirrorMissingError(
            f"no snapshot of {src.repo} (commit {src.commit}) under {mirrors}: "
            f"fetch github:{src.repo} (expected {mirrors / src.repo.replace('/', '+') / 'repo'})"
        )
    snap = Snapshot(git_dir, src.repo, src.commit)
    snap.check()
    return snap


def write_jsonl_gz(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Gzipped JSONL with a fixed header time, so the same texts give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    tmp.replace(path)


def build(
    mirrors: Path,
    output: Path,
    sources: Iterable[Source] = SOURCES,
    own_corpus: Iterable[Path] | None = None,
) -> dict[str, Any]:
    """Rebuild the collection from pinned snapshots; writes ``output`` and a ``.manifest.json`` beside it.

    Every snapshot is checked before anything is read, so a missing one fails fast and names itself.
    """
    started = time.monotonic()
    sources = list(sources)
    snaps = {src.name: open_snapshot(mirrors, src) for src in sources}
    leak_keys = own_corpus_keys(default_own_corpus() if own_corpus is None else own_corpus)
    if own_corpus is None:
        leak_keys |= real_test_keys(mirrors)
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {}
    try:
        for src in sources:
            stats = SourceStats()
            texts = select_texts(src.name, src.extractor(src, snaps[src.name]), seen, leak_keys, src.cap, stats)
            rows.extend({"id": f"{src.name}:{n}", "text": t, "source": src.name, "everyday": src.everyday,
                         "register": src.register} for n, t in enumerate(texts))
            report[src.name] = {
                "repo": src.repo,
                "commit": src.commit,
                "paths": list(src.paths),
                "licence": src.licence,
                "redistributable": src.redistributable,
                "raw": stats.raw,
                "kept": stats.kept,
                "dropped": dict(sorted(stats.dropped.items())),
            }
            log.info("realtext_source name=%s raw=%d kept=%d", src.name, stats.raw, stats.kept)
    finally:
        for snap in snaps.values():
            snap.close()
    write_jsonl_gz(output, rows)
    manifest = {
        "output": str(output),
        "total": len(rows),
        "own_corpus_keys": len(leak_keys),
        "seconds": round(time.monotonic() - started, 1),
        "sources": report,
        "held_out_never_read": list(HELD_OUT),
    }
    output.with_name(output.name.removesuffix(".jsonl.gz") + ".manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def sources_table(sources: Iterable[Source] = SOURCES) -> str:
    """The source list as a Markdown table (for the datasheet)."""
    lines = [
        "| source | repository | commit | path(s) | licence | redistributable | cap |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in sources:
        lines.append(
            f"| `{s.name}` | {s.repo} | `{s.commit[:12]}` | {', '.join(f'`{p}`' for p in s.paths)} | {s.licence} "
            f"| {'yes' if s.redistributable else 'no'} | {s.cap or '-'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Command line: ``build`` the collection, or print the ``sources`` table."""
    out = stdout or sys.stdout
    ap = argparse.ArgumentParser(prog="python -m classifier.realtext", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="rebuild the collection from fetched snapshots")
    b.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="folder of owner+name snapshots")
    b.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    b.add_argument("--only", nargs="*", default=None, help="source names to build (default: all)")
    sub.add_parser("sources", help="print the pinned sources as a Markdown table")
    args = ap.parse_args(argv)
    if args.cmd == "sources":
        out.write(sources_table() + "\n")
        return 0
    chosen = [s for s in SOURCES if args.only is None or s.name in args.only]
    try:
        manifest = build(args.mirrors, args.output, chosen)
    except MirrorMissingError as exc:
        sys.stderr.write(f"realtext: {exc}\n")
        return 2
    out.write(json.dumps({k: v for k, v in manifest.items() if k != "sources"}, ensure_ascii=False) + "\n")
    for name, rep in manifest["sources"].items():
        out.write(f"{name}\t{rep['kept']}\t(raw {rep['raw']}, dropped {rep['dropped']})\n")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raise SystemExit(main())
