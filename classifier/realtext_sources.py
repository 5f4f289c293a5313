"""The pinned public sources of classifier.realtext: where each one's texts are, how to read them from a
fetched snapshot (a bare git directory, read with ``git cat-file``), and what we may do with them."""

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


def _month_files(folder: str, months: str) -> tuple[str, ...]:
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
    # ---- added 2026-12-02 (issue 15): real text of disasters other than 3.11 ----
    Source(
        name="jawikinews_leads",
        repo="tm4roon/jawikinews-headline-dataset",
        commit="cfdf15830a6bd3f734cd4bdac3b7692e23825988",
        paths=("raw/cleaned-data.tsv.gz",),
        extractor=extract_wikinews_leads,
        licence="Japanese Wikinews articles, CC BY 2.5 (ja.wikinews.org); no licence stated for the repository's "
        "processing: kept out of the repository, rebuilt by the recipe",
        redistributable=False,
        kind="Japanese Wikinews headline plus first sentence (3,670 articles, 2005-2019): news of earthquakes, "
        "typhoons, floods, eruptions and fires in Japan (2008 Iwate-Miyagi, 2009 Chugoku-Kyushu rains, 2011 Kii "
        "typhoon, 2016 Kumamoto/Oita, 2017 Shinmoedake...) and abroad, and every other kind of news",
        use="news-register disaster reports (relays) and hard negatives (disasters abroad, forecasts, "
        "aftermath, politics): training labels, distillation",
        everyday=False,
    ),
    Source(
        name="archive_raryosu",
        repo="raryosu/tweets",
        commit="130e99c053cf2fc4606e65a463b4a93e0d92272d",
        paths=_month_files(
            "data/js/tweets",
            "2013_10 2013_12 2014_01 2014_02 2014_03 2014_04 2014_05 2014_06 2015_01 2015_05 2015_06 "
            "2015_07 2015_08 2015_09 2015_11 2016_01 2016_02 2016_03 2016_04 2016_05 2016_06 2016_07 "
            "2016_08 2016_09 2016_10 2016_11 2016_12 2017_01 2017_02 2017_03 2017_04 2017_05 2017_06 "
            "2017_07 2017_08 2017_09 2017_10",
        ),
        extractor=twitter_archive_extractor(sample_every=8),
        licence="none stated; tweets belong to their author: kept out of the repository, rebuilt by the recipe",
        redistributable=False,
        kind="personal Twitter archive, 2013-2017 (a student in western Japan): posts naming a hazard (2015 "
        "and 2017 typhoons, 2016 Kumamoto quake) plus a 1-in-8 hash sample of the rest (months 2015_10 "
        "and 2015_12 are absent from the snapshot)",
        use="real posts of other events: training labels (disaster and everyday), distillation",
        everyday=False,
    ),
    Source(
        name="archive_hukanzen",
        repo="Hukanzen/tweet_analysis",
        commit="72d175aaff27c88d8eeaad2d6e8353fbf8263066",
        paths=_month_files(
            "data/js/tweets",
            "2012_01.1 2012_01 2012_03 2012_05 2012_07 2012_08 2012_10 2012_11 2012_12 2013_01 "
            "2013_02 2013_03 2013_04 2013_06 2013_09 2013_10 2013_11 2013_12 2014_01 2014_02 2014_03 "
            "2014_04 2014_05 2014_06 2014_07 2014_08 2014_09 2014_10 2014_11 2014_12 2015_01 2015_02 "
            "2015_03 2015_04 2015_05 2015_06 2015_07 2015_08 2015_09 2015_10 2015_11 2015_12 2016_01 "
            "2016_02 2016_03 2016_04 2016_05 2016_06 2016_07 2016_08 2016_09 2016_10 2016_11 2016_12 "
            "2017_01 2017_02 2017_03 2017_04 2017_05 2017_06 2017_07 2017_08 2017_09 2017_10 2017_11 "
            "2017_12 2018_01 2018_02 2018_03 2018_04 2018_05",
        ),
        extractor=twitter_archive_extractor(sample_every=20),
        licence="none stated; tweets belong to their author: kept out of the repository, rebuilt by the recipe",
        redistributable=False,
        kind="personal Twitter archive, 2012-2018 (branch develop): posts naming a hazard (typhoons, heavy "
        "rain, 2014 and 2016 quakes, snow) plus a 1-in-20 hash sample of the rest (months 2013_05, "
        "2013_07 and 2013_08 are absent from the snapshot)",
        use="real posts of other events: training labels (disaster and everyday), distillation",
        everyday=False,
    ),
    Source(
        name="archive_xanxus",
        repo="xanxus1204/xanxus1204.github.io",
        commit="83796318399f378f54cf8803f1ccc04ce038ee46",
        paths=_month_files(
            "data/js/tweets",
            "2016_10 2016_11 2016_12 2017_01 2017_02 2017_03 2017_04 2017_05 2017_06 2017_07 2017_08 "
            "2017_09 2017_10 2017_11 2018_01 2018_03 2018_04 2018_05 2018_07 2018_08 2018_09 2018_10 "
            "2018_11 2018_12 2019_01 2019_02 2019_03",
        ),
        extractor=twitter_archive_extractor(sample_every=8),
        licence="none stated; tweets belong to their author: kept out of the repository, rebuilt by the recipe",
        redistributable=False,
        kind="personal Twitter archive, 2016-2019 (commit of 2019-11-30; later commits removed it): posts "
        "naming a hazard (2018 rains, typhoons and quakes) plus a 1-in-8 hash sample",
        use="real posts of other events: training labels (disaster and everyday), distillation",
        everyday=False,
    ),
)
