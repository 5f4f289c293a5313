"""Reference data: where the prefecture's open data and JMA's area tables live, one reader, one distance.

The data ship in the package (``kernel/data/mie``, ``kernel/data/jma``; licences and the decision per file in
docs/reference-data.md). ``[reference]`` in config.toml can point elsewhere, e.g. at ``../shared/data/mie``
or at another prefecture's files. Relative paths of packaged files resolve against the package root (the
folder that holds ``kernel/``: the repository in a checkout, site-packages once installed), never against
the working directory, so an installed service starts from any folder.
"""

from __future__ import annotations

import csv
import logging
import math
import threading
from pathlib import Path
from typing import Any, Final

log = logging.getLogger(__name__)

PACKAGE_ROOT: Final = Path(__file__).resolve().parent.parent
SHIPPED_DIR: Final = Path(__file__).resolve().parent / "data" / "mie"
SHIPPED_JMA_DIR: Final = Path(__file__).resolve().parent / "data" / "jma"
EARTH_RADIUS_KM: Final = 6371.0088  # IUGG mean radius


def package_path(path: Path | str) -> Path:
    """``path`` itself when absolute, else the same path under the package root (not the working directory)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PACKAGE_ROOT / path


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points (the project's one distance function)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class ReferenceData:
    """One folder of reference CSV files, each read once (a missing file reads as no rows, with a warning)."""

    def __init__(self, directory: Path | str = SHIPPED_DIR, jma_dir: Path | str = SHIPPED_JMA_DIR) -> None:
        self.directory = package_path(directory)
        self.jma_dir = package_path(jma_dir)
        self._lock = threading.Lock()
        self._rows: dict[tuple[Path, bool], tuple[Any, ...]] = {}

    def path(self, name: str) -> Path:
        """The file ``name`` of the prefecture's data folder (municipalities.csv, shelters.csv, towns.csv ...)."""
        return self.directory / name

    def jma_path(self, name: str) -> Path:
        """The file ``name`` of the JMA area tables (AreaForecastLocal.csv, CityCode.csv)."""
        return self.jma_dir / name

    def rows(self, name: str) -> tuple[dict[str, str], ...]:
        """The rows of a CSV file of the prefecture's data folder."""
        return self._read(self.path(name))

    def jma_records(self, name: str) -> tuple[tuple[str, ...], ...]:
        """The rows of a JMA area table as tuples, header left out (its column names repeat: 名称, 名称 ...)."""
        return self._read(self.jma_path(name), named=False)  # type: ignore[return-value]

    def _read(self, path: Path, *, named: bool = True) -> tuple[Any, ...]:
        with self._lock:
            if (path, named) not in self._rows:
                try:
                    with path.open(encoding="utf-8-sig", newline="") as fh:
                        rows = tuple(csv.DictReader(fh)) if named else tuple(tuple(r) for r in csv.reader(fh))[1:]
                except OSError as err:
                    log.warning("reference_data_missing path=%s error=%s", path, err)
                    rows = ()
                self._rows[(path, named)] = rows
            return self._rows[(path, named)]

    def credit(self) -> str:
        """The attribution its licences ask for: the quoted lines of the folder's SOURCES.md ("" if absent)."""
        try:
            text = self.path("SOURCES.md").read_text(encoding="utf-8")
        except OSError:
            return ""
        lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith(">")]
        return " ".join(" ".join(lines).split()).replace("／ ", "／")


_current = ReferenceData()
_current_lock = threading.Lock()


def current() -> ReferenceData:
    """The reference data this process uses (the shipped data until ``configure`` names other folders)."""
    return _current


def configure(directory: Path | str, jma_dir: Path | str) -> ReferenceData:
    """Use the folders of ``[reference]`` from now on (called once at start-up); return the new data."""
    global _current
    with _current_lock:
        if package_path(directory) != _current.directory or package_path(jma_dir) != _current.jma_dir:
            _current = ReferenceData(directory, jma_dir)
        return _current
