"""How classifier.realtext reads its pinned public sources: a fetched snapshot (a bare git directory, read with
``git cat-file``) and one extractor per kind of file, each yielding the raw texts of one source."""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classifier.realtext_sources import Source

# A space that a tokenised corpus put between two words, one of them Japanese.
_TOKEN_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f]) +(?=\S)|(?<=\S) +(?=[^\x00-\x7f])")


class MirrorMissingError(RuntimeError):
    """A source's snapshot (repository or pinned commit) is not on this machine."""


# ---------------------------------------------------------------- snapshots


def find_mirror(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a fetched snapshot of owner/name under ``mirrors`` (owner+name/repo), if any."""
    base = mirrors / repo.replace("/", "+")
    for cand in (base / "repo", base / "repo" / ".git", base):
        if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
            return cand
    return None


class Snapshot:
    """Read files of one repository at one commit from a bare git directory, without a work tree."""

    def __init__(self, git_dir: Path, repo: str, commit: str) -> None:
        self.git_dir, self.repo, self.commit = git_dir, repo, commit
        self._proc: subprocess.Popen[bytes] | None = None

    def _git(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args],
            check=True,
            capture_output=True,
        ).stdout

    def check(self) -> None:
        """Fail clearly when the pinned commit is not in this snapshot."""
        try:
            self._git("cat-file", "-e", f"{self.commit}^{{commit}}")
        except subprocess.CalledProcessError as exc:
            raise MirrorMissingError(
                f"snapshot of {self.repo} at {self.git_dir} lacks commit {self.commit}: "
                f"fetch github:{self.repo} again (a newer snapshot may have moved on; update the source table)"
            ) from exc

    def list(self, prefix: str) -> list[str]:
        """Paths of the files under a folder (or the file itself), sorted."""
        out = self._git("ls-tree", "-r", "--name-only", "-z", self.commit, "--", prefix)
        return sorted(p for p in out.decode("utf-8").split("\0") if p)

    def read(self, path: str) -> bytes:
        """The bytes of ``<commit>:<path>`` (what ``git show`` prints), through one long-lived cat-file."""
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "--git-dir", str(self.git_dir), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(f"{self.commit}:{path}\n".encode())
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().decode("utf-8", "replace").split()
        if len(header) != 3:
            raise MirrorMissingError(f"{self.repo}@{self.commit} has no file {path!r} in {self.git_dir}")
        size = int(header[2])
        data = self._proc.stdout.read(size)
        self._proc.stdout.read(1)
        return data

    def close(self) -> None:
        """Stop the cat-file process."""
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait()
            self._proc = None


# ---------------------------------------------------------------- extractors (raw texts of one source)


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", "replace")


def extract_tweetmapping(src: Source, snap: Snapshot) -> Iterator[str]:
    """Search index of the 2011 Tohoku tweet map: {"tweets": [{"text": ...}]}."""
    for path in src.paths:
        for tweet in json.loads(_text(snap.read(path)))["tweets"]:
            yield tweet["text"]


def _ng_words(snap: Snapshot, path: str) -> list[str]:
    return [w.strip() for w in _text(snap.read(path)).splitlines() if w.strip()]


def extract_open2ch(src: Source, snap: Snapshot) -> Iterator[str]:
    """Response-ranking zip of the open2ch dialogue corpus: label, then posts separated by tabs.

    Posts holding a word of the corpus's own NG list (data/ng_words.txt) are skipped, as its cleaning
    script does.
    """
    zip_path, ng_path = src.paths
    ng = _ng_words(snap, ng_path)
    with zipfile.ZipFile(io.BytesIO(snap.read(zip_path))) as zf:
        for name in sorted(zf.namelist()):
            if not name.endswith((".tsv",)) or "score" in name:
                continue
            for line in _text(zf.read(name)).splitlines():
                for post in line.split("\t")[1:]:
                    post = post.replace("__BR__", "\n")
                    if not any(w in post for w in ng):
                        yield post


def extract_csv_text(src: Source, snap: Snapshot) -> Iterator[str]:
    """A CSV file with a "text" column."""
    for path in src.paths:
        for row in csv.DictReader(io.StringIO(_text(snap.read(path)))):
            yield row.get("text") or ""


def extract_realpersonachat(src: Source, snap: Snapshot) -> Iterator[str]:
    """RealPersonaChat dialogues: one JSON file per dialogue, {"utterances": [{"text": ...}]}."""
    for folder in src.paths:
        for path in snap.list(folder):
            if path.endswith(".json"):
                for utt in json.loads(_text(snap.read(path))).get("utterances", []):
                    yield utt.get("text") or ""


_KWDLC_SENT_RE = re.compile(r"^(\d+) (.+)$")


def extract_kwdlc(src: Source, snap: Snapshot) -> Iterator[str]:
    """KWDLC web-document leads, the first three sentences of a page joined as one text.

    disc/*.txt: "# A-ID" blocks of numbered sentences; org/**.org: "# S-ID:<doc>-<n>" then the sentence.
    """
    for folder in src.paths:
        for path in snap.list(folder):
            raw = _text(snap.read(path))
            if path.endswith(".org"):
                yield "".join(line for line in raw.splitlines() if line and not line.startswith("#"))
            elif path.endswith(".txt"):
                for block in raw.split("# A-ID:")[1:]:
                    sents = [m.group(2) for m in map(_KWDLC_SENT_RE.match, block.splitlines()[1:]) if m]
                    yield "".join(sents)


def extract_asdc(src: Source, snap: Snapshot) -> Iterator[str]:
    """ASDC crowd-written user requests: JSONL, {"utterances": [{"name": "user", "text": ...}]}."""
    for folder in src.paths:
        for path in snap.list(folder):
            if not path.endswith(".jsonl"):
                continue
            for line in _text(snap.read(path)).splitlines():
                if line.strip():
                    for utt in json.loads(line).get("utterances", []):
                        if utt.get("name") == "user":
                            yield utt.get("text") or ""


def extract_tokenised_lines(src: Source, snap: Snapshot) -> Iterator[str]:
    """One sentence a line, words separated by spaces (KyTea): the spaces next to Japanese are removed."""
    for path in src.paths:
        for line in _text(snap.read(path)).splitlines():
            yield _TOKEN_SPACE_RE.sub("", line.strip())


Extractor = Callable[["Source", Snapshot], Iterator[str]]


# Candidate selection in the personal Twitter archives (not a label): a post that names a hazard or its
# effects is always kept, every other post only when its id falls in a fixed hash sample, so three years of
# one person's timeline do not swamp the collection while the few disaster-time posts all stay.
ARCHIVE_HAZARD_RE = re.compile(
    "地震|揺れ|余震|震度|津波|台風|大雨|豪雨|大雪|洪水|浸水|冠水|氾濫|増水|土砂|崖崩|がけ崩|停電|断水|避難|被災|"
    "倒壊|噴火|竜巻|暴風|警報|火事|火災|通行止|運転見合|救助"
)


def _archive_records(data: bytes) -> list[dict[str, object]]:
    """The JSON array of one Twitter-archive month file (``Grailbird.data.tweets_YYYY_MM = [...]``)."""
    body = _text(data)
    return json.loads(body[body.index("[") :])


def _in_sample(tweet_id: str, every: int) -> bool:
    return int(hashlib.sha1(tweet_id.encode(), usedforsecurity=False).hexdigest()[:8], 16) % every == 0


def month_files(folder: str, months: str) -> tuple[str, ...]:
    """Pinned month files of a Twitter archive: the snapshot lacks some of the largest blobs (git objects
    absent), so each source names the months it reads rather than the folder."""
    return tuple(f"{folder}/{m}.js" for m in months.split())


def twitter_archive_extractor(sample_every: int) -> Extractor:
    """Reader of Twitter's own archive export (2012-2019 format, ``data/js/tweets/YYYY_MM.js``) pushed to
    GitHub: every post naming a hazard (ARCHIVE_HAZARD_RE), plus one in ``sample_every`` of the others
    (fixed by a hash of the tweet id); HTML entities decoded as Twitter shows them, retweets kept."""

    def extract(src: Source, snap: Snapshot) -> Iterator[str]:
        for folder in src.paths:
            for path in snap.list(folder):
                if not path.endswith(".js"):
                    continue
                for rec in _archive_records(snap.read(path)):
                    text = html.unescape(str(rec.get("text") or "")).strip()
                    tweet_id = str(rec.get("id_str") or rec.get("id"))
                    if ARCHIVE_HAZARD_RE.search(text) or _in_sample(tweet_id, sample_every):
                        yield text

    extract.__doc__ = twitter_archive_extractor.__doc__
    return extract


_NUM_SPACE_RE = re.compile(r"(?<=\d) ([.,:]) (?=\d)")
_BRACKET_SPACE_RE = re.compile(r"([(\[「『]) | ([)\]」』])")
_SENTENCE_END_RE = re.compile(r"(?<=。)")
WIKINEWS_MAX_CHARS = 300


def _detokenise(text: str) -> str:
    text = _TOKEN_SPACE_RE.sub("", text.strip())
    text = _NUM_SPACE_RE.sub(r"\1", text)
    return _BRACKET_SPACE_RE.sub(lambda m: m.group(1) or m.group(2), text)


def extract_wikinews_leads(src: Source, snap: Snapshot) -> Iterator[str]:
    """Japanese Wikinews headline dataset (MeCab-tokenised TSV, gzipped: id, article, headline): one text per
    article, the headline and the article's first sentence, as a news share reads; spaces next to Japanese,
    inside numbers (「7 . 4」) and inside brackets removed; cut at WIKINEWS_MAX_CHARS characters."""
    for path in src.paths:
        raw = gzip.decompress(snap.read(path)).decode("utf-8")
        rows = csv.reader(io.StringIO(raw), delimiter="\t")
        next(rows, None)
        for row in rows:
            if len(row) < 3:
                continue
            headline, article = _detokenise(row[2]), _detokenise(row[1])
            lead = next((s for s in _SENTENCE_END_RE.split(article) if s.strip()), "")
            yield f"{headline} {lead}".strip()[:WIKINEWS_MAX_CHARS]
