from __future__ import annotations

import json
from pathlib import Path

import pytest

from geocode.gazetteer import FORMAT, SHIPPED, Entry, GazetteerError, load, save


def test_round_trip(tmp_path: Path) -> None:
    entry = Entry("富田", "town", 35.0, 136.6, "242021", "四日市市", ("富田",), ("とみだ",), frozenset({"confusable"}))
    assert save(tmp_path / "g.json", [entry], attribution="test", origin="built") == 1
    loaded = load(tmp_path / "g.json")
    assert loaded.entries == (entry,)
    assert loaded.origin == "built"


@pytest.mark.parametrize(
    "content",
    ["not json", json.dumps({"format": "other"}), json.dumps({"format": FORMAT, "entries": [{"kind": "town"}]})],
)
def test_bad_files_raise_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "g.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerError, match=str(path.name)):
        load(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="cannot read"):
        load(tmp_path / "absent.json")


def test_shipped_gazetteer_covers_what_the_issue_lists() -> None:
    entries = load(SHIPPED).entries
    municipalities = [e for e in entries if e.kind == "municipality"]
    assert len(municipalities) == 29
    assert all(e.code and len(e.code) == 6 for e in municipalities)
    names = {e.name for e in entries}
    for name in ("鈴鹿川", "雲出川", "櫛田川", "宮川", "熊野川", "国道23号", "国道25号", "伊勢神宮", "鈴鹿サーキット",
                 "志摩スペイン村", "津城跡", "赤目四十八滝", "近鉄四日市駅"):
        assert name in names
    returned = [e for e in entries if e.kind not in ("foreign", "region")]
    assert all(34.0 - 0.3 < e.lat < 35.3 and 135.8 < e.lng < 137.0 for e in returned)  # type: ignore[operator]
