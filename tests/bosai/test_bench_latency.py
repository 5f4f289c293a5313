"""The benchmark's bounded records of a run: send times per post and latency counts per millisecond."""

from __future__ import annotations

import random

from bosai.bench.latency import LatencyHistogram, LatencyWindows, SendLog, posts_planned


def test_quantiles_match_sorting_the_latencies() -> None:
    rng = random.Random(3)
    latencies = [round(rng.uniform(0.05, 2.5), 3) for _ in range(1001)]
    hist = LatencyHistogram()
    for value in latencies:
        hist.add(value)
    ordered = sorted(latencies)
    for q in (0.0, 0.5, 0.95, 0.99, 1.0):
        assert hist.quantile(q) == ordered[int(q * (len(ordered) - 1))]
    assert hist.total == 1001 and abs(hist.mean() - sum(latencies) / 1001) < 1e-9


def test_an_empty_histogram_has_no_quantile() -> None:
    assert LatencyHistogram().quantile(0.95) is None and LatencyHistogram().mean() is None


def test_histogram_size_is_bounded_by_the_spread_not_the_count() -> None:
    hist = LatencyHistogram()
    for n in range(200_000):
        hist.add(0.2 + (n % 500) / 1000)
    assert hist.total == 200_000 and len(hist.counts) == 500


def test_windows_split_by_send_time() -> None:
    windows = LatencyWindows(10.0)
    for offset, latency in [(0.0, 1.0), (9.9, 2.0), (10.0, 3.0)]:
        windows.add(offset, latency)
    assert windows.p95_by_window() == [[0.0, 2, 1.0], [10.0, 1, 3.0]]
    assert windows.overall.total == 3


def test_send_log_gives_each_send_time_once() -> None:
    log = SendLog(3)
    log.sent[1] = 12.5
    assert log.first_sight(1) == 12.5
    assert log.first_sight(1) is None  # a second event of the same post is not a second sample
    assert log.first_sight(3) is None and log.first_sight(-1) is None  # not a post of this run


def test_posts_planned_covers_every_phase() -> None:
    assert posts_planned([(300.0, 20.0)]) >= 6000
    assert posts_planned([(400.0, 20.0), (4000.0, 5.0)]) >= 28_000
