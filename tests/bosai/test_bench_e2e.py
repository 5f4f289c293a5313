"""The end-to-end benchmark on a short, light load: everything sent is stored and the contract keys are there."""

from __future__ import annotations

import json

from bosai.bench import run_e2e


async def test_short_e2e_run_loses_nothing_and_reports_the_contract() -> None:
    result = await run_e2e(20.0, 3.0, drain_s=60.0, baseline_posts=5)
    summary = result.summary()
    assert summary["posts_sent"] == 60 and summary["lost"] == 0
    assert summary["posts_done"] == 60
    for key in ("posts_per_s", "p95_ingest_to_page_s", "baseline_posts_per_s", "peak_rss_mb"):
        assert summary[key] is not None and summary[key] > 0, key
    assert 0 < summary["anon_last_mb"] <= summary["rss_last_mb"]
    assert summary["simd"] is not None and summary["cpus"] >= 1
    json.dumps(summary)  # the --json line
