"""The pinned public sources of classifier.realtext: where each one's texts are, how to read them from a
fetched snapshot (a bare git directory, read with ``git cat-file``), and what we may do with them."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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


# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One pinned public source: where its texts are, how to read them, and what we may do with them."""

    name: str
    repo: str
    commit: str
    paths: tuple[str, ...]
    extractor: Extractor
    licence: str
    redistributable: bool
    kind: str
    use: str
    cap: int | None = None
    notes: str = field(default="")
    # Texts written away from any disaster stream (chat, bulletin boards, example sentences): training may
    # take them as weak "other" labels. A disaster-time stream (the 2011 tweets) is False.
    everyday: bool = True


SOURCES: tuple[Source, ...] = (
    Source(
        name="tohoku2011_tweets",
        repo="wtnv-lab/tweetMapping",
        commit="4f5c29c1f3d1573e05f87be82647ef6845125d35",
        paths=("data/czml/tweet-tiles/search.json",),
        extractor=extract_tweetmapping,
        licence="MIT (repository, © 2021 Hidenori Watanave); tweet texts belong to their authors",
        redistributable=False,
        kind="geotagged tweets posted within 24 h of the 2011-03-11 Tohoku earthquake (@-replies and bots removed)",
        use="real disaster-time posts: positives (shaking, tsunami, outages, stranded commuters) and hard "
        "negatives (worry, support, news relayed from afar, everyday posts of the same hours)",
        everyday=False,
    ),
    Source(
        name="open2ch",
        repo="1never/open2ch-dialogue-corpus",
        commit="a8ccdf2cffa81ea5f9ff5ed01c35d0272f0936f3",
        paths=("ranking.zip", "data/ng_words.txt"),
        extractor=extract_open2ch,
        licence="Apache-2.0 (repository); posts from open2ch.net boards",
        redistributable=False,
        kind="bulletin-board posts (なんでも実況J, ニュー速VIP, ニュース速報+), Aug-Sep 2019; the 534 MB corpus.zip "
        "is Git LFS and absent, so the 2 x 20,000-line ranking set is read",
        use="everyday social posts, slang, news talk and figurative use: distillation, domain adaptation, "
        "hard negatives",
    ),
    Source(
        name="japanese_toxic",
        repo="inspection-ai/japanese-toxic-dataset",
        commit="e26fbd26b26e831f56e529c05a3f4f6cc5b697b0",
        paths=("data/subset.csv",),
        extractor=extract_csv_text,
        licence="Apache-2.0",
        redistributable=True,
        kind="short social-media style posts annotated for toxicity (labels not used)",
        use="rough everyday posts: distillation, robustness",
    ),
    Source(
        name="realpersonachat",
        repo="nu-dialogue/real-persona-chat",
        commit="28d0b6b3865b29cabc26c230a2db37cdf315e937",
        paths=("real_persona_chat/dialogues",),
        extractor=extract_realpersonachat,
        licence="CC BY-SA 4.0",
        redistributable=True,
        kind="typed chit-chat between real people (RealPersonaChat, 13,583 dialogues)",
        use="casual first-person chat: distillation, domain adaptation, everyday negatives",
        cap=22000,
    ),
    Source(
        name="kwdlc_leads",
        repo="ku-nlp/KWDLC",
        commit="c6ae49d29eca4e1134c6676d682adf5ed6a25f5a",
        paths=("disc", "org"),
        extractor=extract_kwdlc,
        licence="none stated for the texts (README: web-document leads used without the copyright owners' "
        "permission); treated as all rights reserved",
        redistributable=False,
        kind="first three sentences of Japanese web pages and blogs (2011)",
        use="varied written register (blogs, shops, hobbies): domain adaptation, distillation",
    ),
    Source(
        name="asdc_requests",
        repo="megagonlabs/asdc",
        commit="f37d6575c73602adcb8ae3687520726793baa672",
        paths=("data/vanilla",),
        extractor=extract_asdc,
        licence="CC BY 4.0 (corpus)",
        redistributable=True,
        kind="crowd-written user requests to an accommodation-search dialogue system",
        use="requests and questions with no hazard: distillation, negatives",
        cap=8000,
    ),
    Source(
        name="tanaka_sentences",
        repo="odashi/small_parallel_enja",
        commit="312408a11c5fbcbc09443bebb18121f7efdcd61e",
        paths=("train.ja",),
        extractor=extract_tokenised_lines,
        licence="none stated in the repository; extracted from the Tanaka Corpus (EDRDG/Tatoeba, CC BY)",
        redistributable=False,
        kind="everyday example sentences (Tanaka Corpus), KyTea-tokenised; spaces removed",
        use="plain everyday sentences: distillation",
        cap=8000,
    ),
)
