"""Shared fixtures for the geocoder tests: the shipped geocoder and, when the open data is here, the full one."""

from __future__ import annotations

from pathlib import Path

import pytest

from geocode import MieGeocoder, load_geocoder
from geocode.build import build
from kernel import reference

REPO = Path(__file__).resolve().parents[2]
MIE_DATA = reference.current().directory  # the shipped copy of ../shared/data/mie


@pytest.fixture(scope="session")
def shipped() -> MieGeocoder:
    """The geocoder on the gazetteer shipped in the repository."""
    return load_geocoder(None)


@pytest.fixture(scope="session")
def full(tmp_path_factory: pytest.TempPathFactory) -> MieGeocoder:
    """The geocoder on a gazetteer built from ../shared/data/mie (skipped where that folder is absent)."""
    if not (MIE_DATA / "towns.csv").exists():
        pytest.skip("../shared/data/mie is not here")
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.json"
    build(MIE_DATA, path)
    return load_geocoder(path)
