from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geocode.build import build
from geocode.gazetteer import GazetteerError, load

FIXTURE = Path(__file__).with_name("fixtures") / "mie"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the small fixture folder (one municipality, a few towns, stations and shelters)."""
    folder = tmp_path / "mie"
    shutil.copytree(FIXTURE, folder)
    return folder


def test_build_imports_and_groups(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "var" / "gazetteer.json"
    counts = build(source, out)
    assert counts["shelter"] == 2 and counts["municipality"] == 29
    entries = {(e.kind, e.name): e for e in load(out).entries}
    assert ("town", "富田一丁目") in entries
    assert entries[("town", "玉垣町")].lat == pytest.approx(34.895)  # 北玉垣町 + 南玉垣町
    assert "四日市市新町" in entries[("town", "新町")].keys  # common word: only with the municipality
    assert "新町" in entries[("town", "新町")].weak
    assert "西村" in entries[("town", "西村")].weak  # two characters: needs support
    assert "釆女町" in entries[("town", "釆女町")].keys
    assert entries[("town", "塩浜")].lat == pytest.approx(34.929366)  # the written district wins
    assert entries[("station", "近鉄富田駅")].keys == ("近鉄富田駅", "近鉄富田")
    assert entries[("station", "近鉄富田駅")].lat == pytest.approx(35.0065)  # the official point replaces ours
    assert entries[("station", "桜駅")].weak == ("桜駅",)
    assert entries[("shelter", "四日市市立富田小学校")].keys
    assert entries[("river", "鈴鹿川")].lat is not None  # written entries come along
    assert load(out).origin == "built"


def test_build_without_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match=r"towns\.csv"):
        build(tmp_path, tmp_path / "out.json")


def test_bad_coordinates_are_reported(source: Path, tmp_path: Path) -> None:
    towns = source / "towns.csv"
    towns.write_text(towns.read_text(encoding="utf-8").replace("35.0050", "north"), encoding="utf-8")
    with pytest.raises(GazetteerError, match="bad coordinates"):
        build(source, tmp_path / "out.json")
