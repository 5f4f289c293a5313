"""The main job: `bosai serve --demo` shows warnings, gauge crossings, flagged posts, incidents and an
alert within 60 seconds of start, with items flowing into the store."""

from __future__ import annotations

import time

import pytest
import requests

LANGS = ["ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi"]


@pytest.mark.slow
def test_demo_shows_the_whole_system_within_60_seconds(service_factory, tmp_path):
    svc = service_factory(f"""
[service]
data_dir = "{tmp_path}/var"
[store]
url = "sqlite:///{tmp_path}/var/bosai.db"
[demo]
port = 0
""")
    svc.start("--demo")
    started = time.monotonic()
    seen: dict[str, bool] = {}
    operator = requests.Session()  # flagged posts and unverified incidents are shown to operators only
    logged_in = False
    while time.monotonic() - started < 60 and not all(seen.get(k) for k in
                                                      ("alerts", "incidents", "gauges", "posts", "warnings")):
        logged_in = logged_in or _login(operator, svc.url)
        alerts = requests.get(f"{svc.url}/api/alerts", timeout=5).json()
        incidents = operator.get(f"{svc.url}/api/incidents", timeout=5).json()
        gauges = requests.get(f"{svc.url}/api/gauges", timeout=5).json()
        posts = operator.get(f"{svc.url}/api/posts", timeout=5).json() if logged_in else {"features": []}
        warnings = requests.get(f"{svc.url}/api/warnings", timeout=5).json()
        seen = {
            "alerts": any(a["source"] == "jma" for a in alerts),
            "incidents": len(incidents["features"]) > 0,
            "gauges": any((f["properties"].get("warning_level") or 0) >= 2 for f in gauges["features"]),
            "posts": len(posts["features"]) > 0,
            "warnings": len(warnings) > 0 if isinstance(warnings, list) else bool(warnings.get("features")),
        }
        time.sleep(2)
    assert all(seen.values()), seen
    alert = alerts[0]
    assert {"id", "source", "hazard", "areas", "sent", "languages"} <= set(alert)
    cap = requests.get(f"{svc.url}/cap/{alert['id']}.xml", timeout=5)
    assert cap.status_code == 200 and b"urn:oasis:names:tc:emergency:cap:1.2" in cap.content
    for lang in LANGS:
        feed = requests.get(f"{svc.url}/feeds/{lang}.atom", timeout=5)
        assert feed.status_code == 200 and b"<entry" in feed.content, lang
    assert requests.get(f"{svc.url}/api/posts", timeout=5).status_code == 401  # not without a login
    public = requests.get(f"{svc.url}/api/incidents", timeout=5).json()["features"]
    assert all(f["properties"]["status"] == "confirmed" for f in public)
    health = requests.get(f"{svc.url}/healthz", timeout=5).json()
    metrics = requests.get(f"{svc.url}/metrics", timeout=5).text
    assert "bosai_items_ingested_total" in metrics and "bosai_queue_depth" in metrics
    assert health["sources"], health
    page = requests.get(svc.url + "/", timeout=5)
    assert page.status_code == 200 and "leaflet" in page.text.lower()
    assert svc.terminate() == 0


def _login(http: requests.Session, url: str) -> bool:
    """Log in as the demo operator (created once the demo runs); False until then."""
    csrf = http.get(f"{url}/api/session", timeout=5).json()["csrf"]
    resp = http.post(f"{url}/login", json={"username": "operator", "password": "bosai-demo"},
                     headers={"X-CSRF-Token": csrf}, timeout=10)
    return resp.status_code == 200
