"""Scoring against a labelled JSONL set: places within tolerance, and false positives on negatives."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geocode.reverse import distance_km
from kernel.records import Geocoder

# Kilometres within which a found place counts as the expected one, by the expected kind.
TOLERANCE_KM = {"municipality": 8.0, "river": 10.0, "road": 10.0}
DEFAULT_TOLERANCE_KM = 2.0  # towns, stations, bridges, gauges, landmarks, shelters, geotags


@dataclass(slots=True)
class Report:
    """Counts behind the bars, plus the misses for inspection."""

    expected: int = 0
    hit: int = 0
    negatives: int = 0
    false_positives: int = 0
    returned: int = 0  # places returned, on all cases
    correct: int = 0  # of those, places within tolerance of an expected place of their case
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hit_rate(self) -> float:
        """Share of expected places found within tolerance."""
        return self.hit / self.expected if self.expected else 0.0

    @property
    def false_positive_rate(self) -> float:
        """Share of negative texts given at least one place."""
        return self.false_positives / self.negatives if self.negatives else 0.0

    @property
    def precision(self) -> float:
        """Share of returned places that are within tolerance of an expected place (any place on a negative
        counts as wrong)."""
        return self.correct / self.returned if self.returned else 1.0


def read_cases(path: Path) -> list[dict[str, Any]]:
    """Labelled cases: ``{"text", "places": [{"name", "kind", "lat", "lng"}], "geo"?, "tag"?}``; ``tag`` names a
    subset scored on its own (``elsewhere``: places outside Mie that share a Mie name)."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _within(want: dict[str, Any], lat: float, lng: float) -> bool:
    limit = TOLERANCE_KM.get(want["kind"], DEFAULT_TOLERANCE_KM)
    return distance_km(want["lat"], want["lng"], lat, lng) <= limit


def evaluate(geocoder: Geocoder, cases: Iterable[dict[str, Any]]) -> Report:
    """Resolve every case and count hits (any returned place within tolerance), false positives and the
    returned places that are right."""
    report = Report()
    for case in cases:
        geo = tuple(case["geo"]) if case.get("geo") else None
        found = geocoder.resolve(case["text"], geo=geo)  # type: ignore[arg-type]
        report.returned += len(found)
        report.correct += sum(any(_within(want, p.lat, p.lng) for want in case["places"]) for p in found)
        if not case["places"]:
            report.negatives += 1
            if found:
                report.false_positives += 1
                report.misses.append({"text": case["text"], "unexpected": [p.name for p in found]})
            continue
        for want in case["places"]:
            report.expected += 1
            if any(_within(want, p.lat, p.lng) for p in found):
                report.hit += 1
            else:
                report.misses.append({"text": case["text"], "missed": want["name"], "found": [p.name for p in found]})
    return report
