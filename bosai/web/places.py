"""Reference data the pages show: municipality points, designated shelters, and their credits.

Read through ``kernel.reference`` (the data shipped in the package, or the folder ``[reference] dir`` names)
once, on first use; a missing file gives empty layers and a warning, never a failed page.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kernel import reference
from kernel.reference import ReferenceData, haversine_km

log = logging.getLogger(__name__)

HAZARD_COLUMNS: Final = ("flood", "landslide", "storm_surge", "earthquake", "tsunami", "fire",
                         "inland_flooding", "volcano")
# Hazards of incidents/alerts -> the shelter designation column that fits them.
HAZARD_TO_COLUMN: Final = {"heavy_rain": "flood", "flood": "flood", "landslide": "landslide",
                           "storm_surge": "storm_surge", "earthquake": "earthquake", "tsunami": "tsunami",
                           "fire": "fire"}


@dataclass(frozen=True, slots=True)
class Municipality:
    """A 市町 with its representative point (the municipal office)."""

    jis_code: str
    name: str
    name_roma: str
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Shelter:
    """A designated evacuation site or shelter (GSI 指定緊急避難場所・指定避難所)."""

    id: str
    kind: str
    name: str
    address: str
    municipality_code: str
    municipality: str
    lat: float
    lng: float
    hazards: tuple[str, ...]
    note: str

    def feature(self) -> dict[str, Any]:
        """GeoJSON Feature of the shelter."""
        props = {"id": self.id, "kind": self.kind, "name": self.name, "address": self.address,
                 "municipality": self.municipality, "municipality_code": self.municipality_code,
                 "hazards": list(self.hazards), "note": self.note}
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [self.lng, self.lat]},
                "properties": props}


class MieData:
    """Lazily loaded municipalities and shelters of the prefecture (the reference data by default)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.data = reference.current() if directory is None else ReferenceData(directory)
        self.directory = self.data.directory
        self._lock = threading.Lock()
        self._municipalities: dict[str, Municipality] | None = None
        self._shelters: list[Shelter] | None = None

    def _rows(self, name: str) -> tuple[dict[str, str], ...]:
        return self.data.rows(name)

    def municipalities(self) -> dict[str, Municipality]:
        """JIS code (5 digits) -> municipality."""
        with self._lock:
            if self._municipalities is None:
                out: dict[str, Municipality] = {}
                for r in self._rows("municipalities.csv"):
                    try:
                        out[r["jis_code"]] = Municipality(r["jis_code"], r["full_name"] or r["name"],
                                                          r["name_roma"], float(r["lat"]), float(r["lng"]))
                    except (KeyError, ValueError):
                        log.warning("mie_municipality_bad_row row=%r", r)
                self._municipalities = out
            return self._municipalities

    def municipality(self, area_code: str) -> Municipality | None:
        """The municipality of a JMA/JIS area code (2420100 or 24201), if it is one."""
        return self.municipalities().get(str(area_code)[:5]) if len(str(area_code)) >= 5 else None

    def shelters(self) -> list[Shelter]:
        """Every designated shelter of Mie."""
        with self._lock:
            if self._shelters is None:
                out: list[Shelter] = []
                for r in self._rows("shelters.csv"):
                    try:
                        out.append(Shelter(
                            r["id"], r["kind"], r["name"], r["address"], r["lg_code"][:5], r["municipality"],
                            float(r["lat"]), float(r["lng"]),
                            tuple(h for h in HAZARD_COLUMNS if r.get(h) == "1"), r.get("note") or "",
                        ))
                    except (KeyError, ValueError):
                        log.warning("mie_shelter_bad_row id=%s", r.get("id"))
                self._shelters = out
            return self._shelters

    def shelter(self, shelter_id: str) -> Shelter | None:
        """The shelter with this id (the ``id`` column of shelters.csv), if any."""
        return next((s for s in self.shelters() if s.id == shelter_id), None)

    def find_shelters(self, *, municipality: str | None = None, hazard: str | None = None,
                      near: tuple[float, float] | None = None, limit: int = 500,
                      only: frozenset[str] | None = None, text: str | None = None) -> list[Shelter]:
        """Shelters filtered by municipality (code or name), hazard, id (``only``: e.g. the open ones) and
        ``text`` in the name or address (how an operator finds one), nearest first when ``near`` is given."""
        column = HAZARD_TO_COLUMN.get(hazard or "", hazard)
        found = [
            s for s in self.shelters()
            if (not municipality or municipality in (s.municipality_code, s.municipality))
            and (not column or column in s.hazards or s.kind == "shelter")
            and (only is None or s.id in only)
            and (not text or text in s.name or text in s.address)
        ]
        if near is not None:
            found.sort(key=lambda s: haversine_km(near[0], near[1], s.lat, s.lng))
        return found[:limit]

    def credits(self) -> list[str]:
        """The attribution lines the data's licences require (from SOURCES.md), and the shipped boundaries'."""
        from publish.boundaries import CREDIT

        credit = self.data.credit()
        return ([credit] if credit else []) + [CREDIT]
