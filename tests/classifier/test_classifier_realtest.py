"""The real hand-labelled test set (issue 15): schema of the committed labels, rebuild from mirrors, report."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from classifier import realtest
from classifier.labels import CATEGORIES, DISASTER
from classifier.realtext import HELD_OUT

MIRRORS = Path(os.environ.get("BOSAI_MIRRORS", "/work/.mirror"))


@pytest.fixture(scope="module")
def labels() -> list[dict]:
    return realtest.load_labels()


def test_every_row_follows_the_schema(labels: list[dict]) -> None:
    for row in labels:
        realtest.check_label_row(row)
        assert "text" not in row, "texts of unlicensed posts must not be committed"
        assert len(row["text_sha1"]) == 40
        if row.get("ambiguous"):
            assert row.get("note"), f"{row['id']}: an ambiguous post needs a note"


def test_labels_and_categories_are_valid(labels: list[dict]) -> None:
    for row in labels:
        assert row["label"] in ("disaster", "other")
        if row["label"] == DISASTER:
            assert row["categories"], row["id"]
            assert set(row["categories"]) <= set(CATEGORIES), row["id"]
        else:
            assert row["categories"] == [], row["id"]


def test_ids_unique_and_posts_distinct(labels: list[dict]) -> None:
    ids = [r["id"] for r in labels]
    assert len(ids) == len(set(ids))
    places = [(r["source"], r["locator"]["index"]) for r in labels]
    assert len(places) == len(set(places)), "one post labelled twice"
    hashes = [r["text_sha1"] for r in labels]
    assert len(hashes) == len(set(hashes)), "two rows with the same text"


def test_size_and_composition(labels: list[dict]) -> None:
    kinds = Counter(r["kind"] for r in labels)
    assert len(labels) >= 600
    assert kinds["everyday"] >= 200
    assert sum(r["label"] == DISASTER for r in labels) >= 150
    hard = {k for k in kinds if k not in CATEGORIES and k != "everyday"}
    for needed in (
        "figurative",
        "forecast_prep",
        "warning_calm",
        "drill",
        "anniversary",
        "far_news",
        "debunk",
        "support",
        "planned_outage",
        "ad",
        "game_film",
    ):
        assert needed in hard, needed
    present = {c for r in labels for c in r["categories"]}
    assert len(present) >= 9, present


def test_no_held_out_source(labels: list[dict]) -> None:
    repos = {realtest.parse_source(r["source"])[0].lower() for r in labels}
    assert not repos & {h.lower() for h in HELD_OUT}
    assert not any("wrime" in r for r in repos)


def test_build_names_missing_mirrors(tmp_path: Path, labels: list[dict]) -> None:
    with pytest.raises(realtest.MirrorError, match="mirrors missing") as err:
        realtest.build(labels[:3], tmp_path)
    assert realtest.parse_source(labels[0]["source"])[0] in str(err.value)
    assert realtest.main(["build", "--mirrors", str(tmp_path), "--output", str(tmp_path / "x.jsonl")]) == 2
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git executable")
def test_build_from_a_local_mirror(tmp_path: Path) -> None:
    """The rebuild reads the recorded commit, unescapes the text and checks its hash."""
    work = tmp_path / "work"
    work.mkdir()
    records = [{"text": "雨やばい"}, {"text": "川が溢れて道が冠水 &gt; 通れない"}]
    (work / "data.js").write_text("Grailbird.data.tweets_2011_09 = " + json.dumps(records), encoding="utf-8")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "data.js"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirrors / "me+tweets" / "repo")], check=True)
    text = "川が溢れて道が冠水 > 通れない"
    row = {
        "id": "me-1",
        "label": "disaster",
        "categories": ["flood"],
        "kind": "flood",
        "source": f"me/tweets@{commit}:data.js",
        "locator": {"path": "data.js", "index": 1},
        "text_sha1": hashlib.sha1(text.encode()).hexdigest(),
    }
    realtest.check_label_row(row)
    built = realtest.build([row], mirrors)
    assert built == [
        {
            "id": "me-1",
            "text": text,
            "label": "disaster",
            "categories": ["flood"],
            "source": row["source"],
            "kind": "flood",
        }
    ]
    bad = {**row, "text_sha1": "0" * 40}
    with pytest.raises(realtest.MirrorError, match="differs"):
        realtest.build([bad], mirrors)
    gone = {**row, "source": f"me/tweets@{'1' * 40}:data.js"}
    with pytest.raises(realtest.MirrorError, match="could not be rebuilt"):
        realtest.build([gone], mirrors)


@pytest.mark.skipif(not MIRRORS.is_dir(), reason="needs the fetched repository mirrors (BOSAI_MIRRORS)")
def test_full_rebuild_from_mirrors(labels: list[dict]) -> None:
    repos = sorted({realtest.parse_source(r["source"])[0] for r in labels})
    missing = [r for r in repos if realtest.git_dir(MIRRORS, r) is None]
    if missing:
        pytest.skip(f"mirrors not fetched: {missing}")
    rows = realtest.build(labels, MIRRORS)
    assert len(rows) == len(labels)
    assert all(r["text"] for r in rows)


def test_report_counts_false_positives_by_kind() -> None:
    data = [
        {"id": "a", "label": "disaster", "categories": ["flood"], "kind": "flood"},
        {"id": "b", "label": "other", "categories": [], "kind": "everyday"},
        {"id": "c", "label": "other", "categories": [], "kind": "everyday"},
        {"id": "d", "label": "other", "categories": [], "kind": "drill", "ambiguous": True},
    ]
    preds = [
        {"id": "a", "label": "disaster"},
        {"id": "b", "label": "disaster"},
        {"id": "c", "label": "other"},
        {"id": "d", "label": "other"},
    ]
    out = realtest.report(data, preds)
    assert out["disaster"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert out["everyday_false_positive_rate"] == 0.5
    assert out["hard_negative_false_positive_rate"] == 0.0
    assert out["unambiguous_n"] == 3
    with pytest.raises(ValueError, match="no prediction"):
        realtest.report(data, preds[:2])


def test_join_collection_joins_labels_with_the_real_collection_and_checks_hashes(tmp_path) -> None:
    import gzip
    import hashlib
    import json

    from classifier.realtest import MirrorError, join_collection

    collection = tmp_path / "realtext.jsonl.gz"
    with gzip.open(collection, "wt", encoding="utf-8") as fh:
        for i, text in enumerate(["地震で棚が倒れた", "今日は晴れ"]):
            fh.write(json.dumps({"id": f"s:{i}", "text": text, "source": "s", "register": ("news", "post")[i]},
                                ensure_ascii=False) + "\n")

    def label(i: int, text: str, lab: str) -> dict:
        cats = ["earthquake"] if lab == "disaster" else []
        return {"id": f"s:{i}", "label": lab, "categories": cats, "kind": "everyday",
                "text_sha1": hashlib.sha1(text.encode()).hexdigest()}

    rows = join_collection([label(1, "今日は晴れ", "other"), label(0, "地震で棚が倒れた", "disaster")], collection)
    assert [(r["id"], r["text"]) for r in rows] == [("s:1", "今日は晴れ"), ("s:0", "地震で棚が倒れた")]
    assert [r["register"] for r in rows] == ["post", "news"]  # what training_targets reads
    with pytest.raises(MirrorError, match="differs"):
        join_collection([label(0, "別の文", "other")], collection)
    with pytest.raises(MirrorError, match="not in"):
        join_collection([{**label(0, "x", "other"), "id": "s:9"}], collection)


def test_cohen_kappa_counts_only_agreement_beyond_chance() -> None:
    a = np.array([True, True, False, False])
    assert realtest.cohen_kappa(a, np.array([True, False, False, False])) == pytest.approx(0.5)
    assert realtest.cohen_kappa(a, a) == pytest.approx(1.0)
    assert realtest.cohen_kappa(a, ~a) == pytest.approx(-1.0)


def _row(i: str, label: str, cats: list[str], ambiguous: bool = False) -> dict:
    return {"id": i, "label": label, "categories": cats, **({"ambiguous": True} if ambiguous else {})}


def test_agreement_of_two_labellings_and_of_the_model_with_each() -> None:
    first = [_row("a", DISASTER, ["flood"]), _row("b", DISASTER, ["fire", "other_damage"]),
             _row("c", "other", [], ambiguous=True), _row("d", "other", []), _row("e", DISASTER, ["earthquake"])]
    second = [_row("e", DISASTER, ["earthquake"]), _row("d", "other", []), _row("c", DISASTER, ["flood"]),
              _row("b", DISASTER, ["fire"]), _row("a", DISASTER, ["flood"])]
    preds = [{"id": i, "label": lab} for i, lab in zip("abcde", [DISASTER, "other", DISASTER, "other", DISASTER],
                                                          strict=True)]
    out = realtest.agreement(first, second, preds)
    assert out["disaster"] == {"first": 3, "second": 4} and out["agreement"] == 0.8
    assert out["second_against_first"]["precision"] == 0.75 and out["second_against_first"]["recall"] == 1.0
    assert out["neither_ambiguous"]["n"] == 4 and out["neither_ambiguous"]["second_against_first"]["f1"] == 1.0
    cats = out["categories_on_both_disaster"]
    assert cats["n"] == 3 and set(cats["f1"]) == {"flood", "fire", "other_damage", "earthquake"}
    assert cats["f1"]["other_damage"] == 0.0 and cats["macro_f1"] == 0.75
    model = out["model"]
    assert model["against_first"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert model["against_second"]["precision"] == 1.0 and model["against_second"]["recall"] == 0.75
    assert model["on_agreed_posts"]["n"] == 4 and model["on_agreed_posts"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    with pytest.raises(ValueError, match="same 5 posts"):
        realtest.agreement(first, second[:4])


def assert_follows_taxonomy(row: dict) -> None:
    """A disaster row has categories, an other row none, and every category is one of SPEC §4's."""
    assert (row["label"] == DISASTER) == bool(row["categories"]), row["id"]
    assert set(row["categories"]) <= set(CATEGORIES), row["id"]


@pytest.mark.parametrize("name", ["real_test", "real_dev"])
def test_the_second_labellings_cover_their_sets_and_follow_the_taxonomy(name: str) -> None:
    first = realtest.load_labels(realtest.DATA_DIR / f"{name}_labels.jsonl")
    second = realtest.load_labels(realtest.DATA_DIR / f"{name}_labels_second.jsonl")
    assert [r["id"] for r in second] == [r["id"] for r in first]
    for row in second:
        assert set(row) <= {"id", "label", "categories", "ambiguous"}, "labels only, never a text"
        assert_follows_taxonomy(row)
    out = realtest.agreement(first, second)
    assert out["kappa"] > 0.6, "a second labelling this far off means the guide or the file is broken"


def test_training_and_dev_labels_hold_no_text_follow_the_taxonomy_and_never_overlap() -> None:
    train = realtest.load_labels(realtest.TRAIN_LABELS_FILE)
    dev = realtest.load_labels(realtest.DEV_LABELS_FILE)
    test = realtest.load_labels()
    for rows in (train, dev):
        assert len({r["id"] for r in rows}) == len(rows), "an id labelled twice"
        for row in rows:
            assert "text" not in row, "the sources are not redistributable: labels and hashes only"
            assert len(row["text_sha1"]) == 40, row["id"]
            assert_follows_taxonomy(row)
    train_ids, dev_ids = {r["id"] for r in train}, {r["id"] for r in dev}
    assert not train_ids & dev_ids, "a dev post is never trained on"
    test_hashes = {r["text_sha1"] for r in test}
    assert not {r["text_sha1"] for r in train + dev} & test_hashes, "a test post is never trained or tuned on"
