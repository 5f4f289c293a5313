"""The end-to-end benchmark on a short, light load: everything sent is stored and the contract keys are there."""

from __future__ import annotations

import json

from bosai.bench.e2e import E2EResult, run_e2e


async def test_short_e2e_run_loses_nothing_and_reports_the_contract() -> None:
    result = await run_e2e(20.0, 3.0, drain_s=60.0, baseline_posts=5)
    summary = result.summary()
    assert summary["posts_sent"] == 60 and summary["lost"] == 0
    assert summary["posts_done"] == 60
    for key in ("posts_per_s", "p95_ingest_to_page_s", "baseline_posts_per_s", "classifier_posts_per_s", "peak_rss_mb"):
        assert summary[key] is not None and summary[key] > 0, key
    # The classifier alone, batched, outruns one post at a time and the whole pipeline around it.
    assert summary["speedup_ceiling"] > 1 and summary["classifier_posts_per_s"] > summary["posts_per_s"]
    assert 0 < summary["anon_last_mb"] <= summary["rss_last_mb"]
    assert summary["simd"] is not None and summary["cpus"] >= 1
    assert sum(n for _, n, _ in summary["p95_by_window"]) == summary["latency_samples"]
    # Every stored post has its stream-to-store time, a part of its page latency.
    to_store = summary["p95_stream_to_store_by_window"]
    assert sum(n for _, n, _ in to_store) == 60
    assert 0 <= max(p95 for _, _, p95 in to_store) <= summary["p99_ingest_to_page_s"] + 1.0
    json.dumps(summary)  # the --json line


def test_p95_by_window_groups_latencies_by_send_minute() -> None:
    result = E2EResult(rate=10.0, duration_s=180.0)
    for offset, latency in [(1.0, 0.5), (30.0, 0.7), (59.0, 0.6), (61.0, 3.0), (130.0, 0.2)]:
        result.add_latency(offset, latency)
    summary = result.summary()
    assert summary["p95_by_window"] == [[0.0, 3, 0.6], [60.0, 1, 3.0], [120.0, 1, 0.2]]
    assert "p95_by_10min" not in summary  # three minutes is no soak


def test_a_soak_reports_p95_and_memory_per_ten_minutes() -> None:
    result = E2EResult(rate=10.0, duration_s=1800.0)
    for offset, latency in [(5.0, 0.4), (599.0, 0.6), (600.0, 0.9), (1700.0, 0.5)]:
        result.add_latency(offset, latency)
    result.anon_samples_mb = [float(n) for n in range(360)]  # one sample per 5 s for 30 minutes
    summary = result.summary()
    assert summary["p95_by_10min"] == [[0.0, 2, 0.4], [600.0, 1, 0.9], [1200.0, 1, 0.5]]
    assert summary["anon_by_10min_mb"] == [119.0, 239.0, 359.0]


def test_steal_is_reported_per_minute_from_the_samples() -> None:
    result = E2EResult(rate=10.0, duration_s=180.0)
    # One sample per 5 s: 1 s stolen in the first minute, none in the second, 6 s in the last 40 s.
    result.steal_samples_s = [100.0 + min(i, 12) / 12 + max(0, i - 24) * 0.75 for i in range(33)]
    assert result.summary()["cpu_steal_by_minute_s"] == [1.0, 0.0, 6.0]
