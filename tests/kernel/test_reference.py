"""Reference data: packaged paths resolve from any working directory; one reader; one distance; JMA areas."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernel import reference
from kernel.config import load_config
from kernel.reference import PACKAGE_ROOT, ReferenceData, haversine_km, package_path
from publish import areas

SHARED = PACKAGE_ROOT.parent / "shared" / "data"


def test_package_paths_resolve_from_another_working_directory(tmp_path: Path) -> None:
    # A fresh process started in an empty folder, as `bosai serve` from anywhere after `pip install .`.
    code = (
        "import json; from kernel.config import load_config; from kernel import reference;"
        "from bosai.web.places import MieData; c = load_config();"
        "d = reference.ReferenceData(c.reference.dir, c.reference.jma_dir); m = MieData(c.reference.dir);"
        "print(json.dumps({'model': str(c.classifier.model_dir), 'gaz': str(c.geocoder.shipped_gazetteer),"
        "'ref': str(c.reference.dir), 'munis': len(m.municipalities()), 'shelters': len(m.shelters()),"
        "'jma': len(d.jma_records('CityCode.csv'))}))"
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}
    env = {k: v for k, v in env.items() if not k.startswith("BOSAI__")}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(got["model"]) == PACKAGE_ROOT / "classifier" / "model"
    assert (Path(got["model"]) / "config.json").is_file()
    assert Path(got["gaz"]).is_file() and Path(got["ref"]) == reference.SHIPPED_DIR
    assert got["munis"] == 29 and got["shelters"] > 4000 and got["jma"] > 1000


def test_relative_config_paths_are_under_the_package_and_env_overrides(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[reference]\ndir = "kernel/data/mie"\n[classifier]\nmodel_dir = "classifier/model"\n',
                   encoding="utf-8")
    config = load_config(cfg, env={"BOSAI__REFERENCE__JMA_DIR": str(tmp_path)})
    assert config.reference.dir == PACKAGE_ROOT / "kernel" / "data" / "mie"
    assert config.classifier.model_dir == PACKAGE_ROOT / "classifier" / "model"
    assert config.reference.jma_dir == tmp_path
    assert package_path("/abs/x") == Path("/abs/x")


def test_missing_files_read_as_no_rows(tmp_path: Path) -> None:
    assert ReferenceData(tmp_path, tmp_path).rows("shelters.csv") == ()
    assert ReferenceData(tmp_path, tmp_path).credit() == ""


@pytest.mark.parametrize("name", ["municipalities.csv", "shelters.csv", "towns.csv", "stations.csv",
                                  "boundaries.geojson", "SOURCES.md"])
def test_the_shipped_copy_equals_the_shared_open_data(name: str) -> None:
    if not (SHARED / "mie" / name).exists():
        pytest.skip("../shared/data/mie is not here")
    assert filecmp.cmp(reference.SHIPPED_DIR / name, SHARED / "mie" / name, shallow=False)


def test_one_distance_function() -> None:
    # The other modules re-export this very function; one degree of latitude is 2 pi R / 360.
    from geocode.reverse import distance_km
    from publish.geo import haversine_km as publish_km

    assert distance_km is haversine_km and publish_km is haversine_km
    assert haversine_km(34.0, 136.0, 35.0, 136.0) == pytest.approx(111.1951, abs=1e-3)
    assert haversine_km(34.0, 136.0, 34.0, 136.0) == 0.0


def test_mie_areas_come_from_the_jma_tables() -> None:
    t = areas.AreaTable.read(reference.current(), "24", ["460"], ["391"])
    assert t.prefecture_area == "240000" and t.prefecture_name == "三重県"
    assert t.subdivisions == {"240010": ("240011", "240012", "240013"), "240020": ("240021", "240022")}
    assert set(t.region_members["240013"]) == {"24208", "24216"}
    assert sum(len(m) for m in t.region_members.values()) == 29
    assert t.split_municipalities == {"2420111": "24201", "2420112": "24201", "2420411": "24204",
                                      "2420412": "24204"}


def test_another_prefecture_is_a_configuration_change() -> None:
    try:
        tokyo = areas.configure("13", [], [])
        assert tokyo.prefecture_area == "130000" and tokyo.prefecture_name == "東京都"
        assert areas.in_scope("1310100", ["130000"])  # 千代田区 in Tokyo's warnings
        assert not areas.in_scope("2420100", ["130000"])
        assert areas.municipalities("130000") and not areas.municipalities("240000")
    finally:
        areas.configure(areas.DEFAULT_PREFECTURE, areas.DEFAULT_QUAKE_AREAS, areas.DEFAULT_TSUNAMI_AREAS)
    assert areas.in_scope("2420100", ["240000"]) and areas.in_scope("460", ["240000"], "quake")
    assert json.dumps(sorted(areas.municipalities("240011"))) == '["24201", "24204", "24441", "24442"]'
