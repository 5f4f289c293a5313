"""The ``[[sources]]`` blocks of the demo: every collector kind, pointed at the local fake sources."""

from __future__ import annotations

from typing import Any

from bosai.demo.scenario_loader import Scenario

WEBHOOK_SOURCE = "demo_webhook"
MUNICIPAL_CAP_SOURCE = "demo_municipal_cap"  # 津市's evacuation information as signed CAP 1.2


def demo_source_blocks(
    base: str, scenario: Scenario, *, webhook_secret_env: str, x_token_env: str
) -> list[dict[str, Any]]:
    """Config blocks for JMA feeds, gauges, cameras, X, Mastodon and the webhook, polled fast for the replay."""
    local = {"allow_private": True, "max_backoff_s": 10.0, "breaker_reset_s": 10.0}
    return [
        {"kind": "jma_feed", "name": "demo_jma_extra", "url": f"{base}/jma/feed/extra.xml",
         "catch_up_url": f"{base}/jma/feed/extra_l.xml", "interval_s": 3.0, **local},
        {"kind": "jma_feed", "name": "demo_jma_eqvol", "url": f"{base}/jma/feed/eqvol.xml",
         "catch_up_url": f"{base}/jma/feed/eqvol_l.xml", "interval_s": 3.0, **local},
        {**scenario.river_gauge_block(f"{base}/river/readings.json", name="demo_river", interval_s=5.0), **local},
        {"kind": "camera", "name": "demo_cameras", "interval_s": 10.0, "stale_after_min": 600.0, **local,
         "cameras": [{"id": c.id, "name": c.name, "lat": c.lat, "lng": c.lng, "url": f"{base}/cameras/{c.id}.jpg"}
                     for c in scenario.cameras]},
        {"kind": "x_stream", "name": "demo_x", "base_url": base, "token_env": x_token_env, **local,
         "rules": [{"value": "(三重 OR 津 OR 四日市) (浸水 OR 冠水 OR 氾濫 OR 避難)", "tag": "mie-disaster"}]},
        {"kind": "mastodon_stream", "name": "demo_mastodon", "base_url": base, "stream": "public", **local},
        {"kind": "webhook", "name": WEBHOOK_SOURCE, "secret_env": webhook_secret_env, **local},
        {"kind": "cap_evacuation", "name": MUNICIPAL_CAP_SOURCE, "secret_env": webhook_secret_env, **local},
    ]
