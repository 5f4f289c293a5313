"""Real-text recipe (issue 15): normalisation, filters, dedup, leakage guard and clear errors, offline."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess

import pytest

from classifier import realtext as rt
from classifier import realtext_readers as readers
from classifier import realtext_sources as rts


def test_drop_reasons():
    assert rt.drop_reason("揺れた") == "too_short"
    assert rt.drop_reason("あ" * 401) == "too_long"
    assert rt.drop_reason("Huge earthquake in Tokyo right now") == "not_japanese"
    assert rt.drop_reason("Massive headache! 人太多!") == "not_japanese"
    assert rt.drop_reason("[URL] [URL] @user") is not None
    assert rt.drop_reason("めっちゃ揺れてる") is None
    # a Japanese post with a romanised check-in is kept
    assert rt.drop_reason("避難中 (新宿中央公園 (Shinjuku Central Park))") is None


def test_near_key_merges_near_exact_copies():
    a = rt.near_key(rt.normalise("地震こわいいいい!!! https://t.co/x"))
    b = rt.near_key(rt.normalise("地震こわい… @someone"))
    assert a == b
    assert rt.near_key("3時に停電") == rt.near_key("4時に停電")
    assert rt.near_key("停電した") != rt.near_key("断水した")


def test_select_texts_dedups_filters_leaks_and_caps():
    raw = [
        "今日は津でランチ😋",
        "今日は津でランチ😋",  # exact
        "今日は 津で ランチ!!",  # near-exact
        "川が氾濫して家が浸水してる、助けて",  # in our own corpus
        "ok",
        "Nice weather today",
        "伊勢うどん食べたい",
        "電車止まってて帰れない",
    ]
    leak = {rt.near_key("川が氾濫して家が浸水してる、助けて")}
    seen: set[str] = {rt.near_key("電車止まってて帰れない")}  # taken by an earlier source
    stats = rt.SourceStats()
    kept = rt.select_texts("demo", raw, seen, leak, stats=stats)
    assert kept == ["今日は津でランチ😋", "伊勢うどん食べたい"]
    assert stats.raw == 8 and stats.kept == 2
    assert stats.dropped == {"duplicate": 3, "in_own_corpus": 1, "too_short": 1, "not_japanese": 1}
    assert rt.near_key("伊勢うどん食べたい") in seen

    many = [f"今日の{word}はおいしかった" for word in "あいうえおかきくけこ"]
    first = rt.select_texts("demo", many, set(), set(), cap=4)
    again = rt.select_texts("demo", many, set(), set(), cap=4)
    assert len(first) == 4 and first == again
    assert first == [t for t in many if t in first]  # first-seen order


def test_own_corpus_keys_reads_jsonl_and_plain_gz(tmp_path):
    (tmp_path / "train.jsonl").write_text(json.dumps({"text": "津市で停電、信号も消えてる"}) + "\n", encoding="utf-8")
    with gzip.open(tmp_path / "unlabelled.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("裏山が崩れて道がふさがった\n")
    keys = rt.own_corpus_keys(rt.default_own_corpus(tmp_path))
    assert rt.near_key("津市で停電、信号も消えてる!") in keys
    assert rt.near_key("裏山が崩れて道がふさがった") in keys


def _src(repo: str, commit: str) -> rt.Source:
    return rt.Source(
        name="demo",
        repo=repo,
        commit=commit,
        paths=("posts.csv",),
        extractor=readers.extract_csv_text,
        licence="test",
        redistributable=False,
        kind="test",
        use="test",
    )


def test_missing_mirror_names_repo_and_commit(tmp_path, capsys, monkeypatch):
    src = _src("someone/absent-repo", "0" * 40)
    with pytest.raises(rt.MirrorMissingError) as exc:
        rt.build(tmp_path, tmp_path / "out.jsonl.gz", [src], own_corpus=[])
    assert "someone/absent-repo" in str(exc.value) and "0" * 40 in str(exc.value)
    assert not (tmp_path / "out.jsonl.gz").exists()

    monkeypatch.setattr(rt, "SOURCES", (src,))
    out = io.StringIO()
    assert rt.main(["build", "--mirrors", str(tmp_path), "--output", str(tmp_path / "o.jsonl.gz")], out) == 2
    assert "someone/absent-repo" in capsys.readouterr().err


def test_held_out_repo_is_refused(tmp_path):
    with pytest.raises(ValueError, match="held out"):
        rt.open_snapshot(tmp_path, _src("ids-cv/wrime", "0" * 40))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git executable")
def test_build_from_a_local_snapshot(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    posts = "id,text\n1,地震で本棚が倒れた http://x.jp\n2,地震で本棚が倒れた\n3,hello\n4,@a 津の花火きれい\n"
    (work / "posts.csv").write_text(posts, encoding="utf-8")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "posts.csv"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "posts"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    (mirrors / "owner+posts").mkdir(parents=True)
    shutil.copytree(work / ".git", mirrors / "owner+posts" / "repo")

    out = tmp_path / "var" / "realtext.jsonl.gz"
    manifest = rt.build(mirrors, out, [_src("owner/posts", commit)], own_corpus=[])
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert rows == [
        {"id": "demo:0", "text": "地震で本棚が倒れた [URL]", "source": "demo", "everyday": True,
         "register": "post"},
        {"id": "demo:1", "text": "@user 津の花火きれい", "source": "demo", "everyday": True,
         "register": "post"},
    ]
    assert manifest["total"] == 2 and manifest["sources"]["demo"]["commit"] == commit
    assert (tmp_path / "var" / "realtext.manifest.json").exists()

    with pytest.raises(rt.MirrorMissingError, match="lacks commit"):
        rt.build(mirrors, out, [_src("owner/posts", "f" * 40)], own_corpus=[])


class _FakeSnapshot:
    """The two calls an extractor makes (list a folder, read a file), over an in-memory tree."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def list(self, prefix: str) -> list[str]:
        return sorted(p for p in self.files if p == prefix or p.startswith(prefix.rstrip("/") + "/"))

    def read(self, path: str) -> bytes:
        return self.files[path]


def _fake_src(paths: tuple[str, ...], extractor) -> rt.Source:
    return rt.Source(
        name="demo",
        repo="owner/demo",
        commit="0" * 40,
        paths=paths,
        extractor=extractor,
        licence="test",
        redistributable=False,
        kind="test",
        use="test",
    )


def test_twitter_archive_reader_keeps_hazard_posts_and_a_fixed_sample():
    records = [
        {"id_str": "1", "text": "台風で停電してる &amp; 雨漏り"},
        {"id_str": "2", "text": "今日のランチはカレー"},
        {"id_str": "3", "text": "RT @someone: 震度5弱 揺れた"},
    ] + [{"id_str": str(i), "text": f"普通の投稿 {i}"} for i in range(10, 40)]
    body = "Grailbird.data.tweets_2016_04 = \n " + json.dumps(records, ensure_ascii=False)
    snap = _FakeSnapshot({"data/js/tweets/2016_04.js": body.encode(), "data/js/tweets/README.txt": b"x"})
    extract = readers.twitter_archive_extractor(sample_every=4)
    paths = readers.month_files("data/js/tweets", "2016_04")
    assert paths == ("data/js/tweets/2016_04.js",)
    out = list(extract(_fake_src(paths, extract), snap))
    # every hazard post, HTML entities decoded, retweets kept
    assert out[0] == "台風で停電してる & 雨漏り"
    assert "RT @someone: 震度5弱 揺れた" in out
    # the other posts only through the fixed hash sample of their ids
    plain = [r for r in records if not readers.ARCHIVE_HAZARD_RE.search(r["text"])]
    expected = [r["text"] for r in plain if readers._in_sample(r["id_str"], 4)]
    assert [t for t in out if not readers.ARCHIVE_HAZARD_RE.search(t)] == expected
    assert 0 < len(expected) < len(plain)
    assert out == list(extract(_fake_src(paths, extract), snap))  # same texts on every build


def test_wikinews_reader_joins_headline_and_first_sentence_without_token_spaces():
    tsv = (
        "id\tarticle\theadline\n"
        "0\t2011 年 4 月 7 日 、 宮城 県 沖 で M 7 . 4 の 地震 が あっ た 。  気象庁 は ( UTC + 9 ) 発表 し た 。\t"
        "宮城 県 沖 で マグニチュード 7 . 4\n"
        "1\t短い\n"
    )
    snap = _FakeSnapshot({"raw/cleaned-data.tsv.gz": gzip.compress(tsv.encode("utf-8"))})
    src = _fake_src(("raw/cleaned-data.tsv.gz",), readers.extract_wikinews_leads)
    out = list(readers.extract_wikinews_leads(src, snap))
    assert out == ["宮城県沖でマグニチュード7.4 2011年4月7日、宮城県沖でM 7.4の地震があった。"]
    assert rt.drop_reason(rt.normalise(out[0])) is None


def test_new_sources_are_appended_and_none_is_held_out():
    names = [s.name for s in rts.SOURCES]
    # ids are "<source>:<n>" and dedup runs in source order: earlier sources keep their ids and texts
    assert names[:7] == [
        "tohoku2011_tweets",
        "open2ch",
        "japanese_toxic",
        "realpersonachat",
        "kwdlc_leads",
        "asdc_requests",
        "tanaka_sentences",
    ]
    assert len(set(names)) == len(names)
    held = {h.lower() for h in rt.HELD_OUT}
    assert not {s.repo.lower() for s in rts.SOURCES} & held
    assert all(len(s.commit) == 40 for s in rts.SOURCES)
