"""Real-text recipe (issue 15): normalisation, filters, dedup, leakage guard and clear errors, offline."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess

import pytest

from classifier import realtext as rt
from classifier import realtext_sources as rts


def test_normalise_nfkc_placeholders_and_spaces():
    text = "ＴＥＳＴ１２３　地震だ！\nhttps://t.co/abc?x=1 見て @taro_1 さん、メールは a@b.jp"
    out = rt.normalise(text)
    assert out == "TEST123 地震だ! [URL] 見て @user さん、メールは a@b.jp"


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
        extractor=rts.extract_csv_text,
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
        {"id": "demo:0", "text": "地震で本棚が倒れた [URL]", "source": "demo", "everyday": True},
        {"id": "demo:1", "text": "@user 津の花火きれい", "source": "demo", "everyday": True},
    ]
    assert manifest["total"] == 2 and manifest["sources"]["demo"]["commit"] == commit
    assert (tmp_path / "var" / "realtext.manifest.json").exists()

    with pytest.raises(rt.MirrorMissingError, match="lacks commit"):
        rt.build(mirrors, out, [_src("owner/posts", "f" * 40)], own_corpus=[])
