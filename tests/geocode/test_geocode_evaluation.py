"""The bars of the issue on our written test set (see geocode/evaluate.py for the tolerances)."""

from __future__ import annotations

import logging
from pathlib import Path

from geocode import MieGeocoder
from geocode.evaluate import evaluate, read_cases

log = logging.getLogger(__name__)
CASES = Path(__file__).with_name("geocode_cases.jsonl")


def test_the_set_is_big_and_varied() -> None:
    cases = read_cases(CASES)
    negatives = [c for c in cases if not c["places"]]
    assert len(cases) >= 400
    assert len(negatives) >= 60
    kinds = {p["kind"] for c in cases for p in c["places"]}
    assert {"municipality", "town", "river", "road", "station", "bridge", "gauge", "landmark", "geotag"} <= kinds
    assert len({c["text"] for c in cases}) == len(cases)


def test_bars_with_the_full_gazetteer(full: MieGeocoder) -> None:
    report = evaluate(full, read_cases(CASES))
    log.info("geocode_eval gazetteer=built hit_rate=%.3f fp_rate=%.3f", report.hit_rate, report.false_positive_rate)
    assert report.hit_rate >= 0.92, report.misses[:20]
    assert report.false_positive_rate <= 0.03, report.misses[:20]


def test_bars_with_the_shipped_gazetteer(shipped: MieGeocoder) -> None:
    report = evaluate(shipped, read_cases(CASES))
    log.info("geocode_eval gazetteer=shipped hit_rate=%.3f fp_rate=%.3f", report.hit_rate, report.false_positive_rate)
    # The shipped file has no 大字・町丁目 list, so small towns are only found at municipality level.
    assert report.hit_rate >= 0.80, report.misses[:20]
    assert report.false_positive_rate <= 0.03, report.misses[:20]
