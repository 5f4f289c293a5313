"""The forecast gate: a horizon is shown only when its backtest clearly beats persistence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publish.gauge_outlook import MIN_SAMPLES, outlook, useful

T0 = datetime(2026, 9, 20, 0, 0, tzinfo=UTC)


def _series(values: list[float]) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(minutes=10 * i), v) for i, v in enumerate(values)]


def test_steady_rise_shows_short_horizons_with_their_error() -> None:
    shown = outlook(_series([1.0 + 0.02 * i for i in range(60)]))
    assert [f["hours"] for f in shown] == [1.0, 2.0, 3.0]
    assert shown[0]["level_m"] == pytest.approx(1.0 + 0.02 * 59 + 0.12, abs=0.01)
    assert shown[0]["mae_m"] == pytest.approx(0.0, abs=0.01) and shown[0]["persistence_mae_m"] > 0.1


def test_jitter_and_short_history_show_nothing() -> None:
    assert outlook(_series([1.0 + 0.2 * (i % 2) for i in range(60)])) == []
    assert outlook(_series([1.0, 1.1])) == []
    assert outlook(_series([1.0 + 0.02 * i for i in range(10)])) == []  # too few points to verify


def test_useful_needs_samples_and_a_clear_gain() -> None:
    assert useful({"mae": 0.1, "persistence_mae": 0.5, "n": MIN_SAMPLES})
    assert not useful({"mae": 0.1, "persistence_mae": 0.5, "n": MIN_SAMPLES - 1})
    assert not useful({"mae": 0.45, "persistence_mae": 0.5, "n": 100})
    assert not useful({"mae": float("nan"), "persistence_mae": 0.5, "n": 100})
