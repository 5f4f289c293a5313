"""Row factories and a context builder shared by the web tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

from bosai.context import ServiceContext
from bosai.live import LiveHub
from kernel.config import AppConfig
from kernel.metrics import Metrics
from kernel.store import Store
from kernel.store.models import (
    AlertRow,
    CameraImageRow,
    GaugeReadingRow,
    IncidentRow,
    OfficialReportRow,
    PostRow,
    RawItem,
)

NOW = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">"\'&'
_ids = count(1)


def make_ctx(store: Store, data_dir: Path, **overrides: Any) -> ServiceContext:
    """A context like the service builds, with a fixed clock."""
    web_cfg = {"public_rate_per_min": overrides.pop("rate", 6000),
               "webhook_rate_per_min": overrides.pop("webhook_rate", 6000),
               "trusted_proxies": overrides.pop("trusted_proxies", []),
               "tile_url": overrides.pop("tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"),  # unreachable: offline
               "confirm_grace_s": overrides.pop("confirm_grace_s", 0)}  # a confirm is sent at once unless asked
    config = AppConfig.model_validate({"service": {"data_dir": str(data_dir)}, "web": web_cfg,
                                       "publish": {"base_url": "http://bosai.test"}})
    return ServiceContext(config=config, store=store, metrics=Metrics(), hub=LiveHub(), clock=lambda: NOW,
                          **overrides)


def raw(session: Any, kind: str) -> int:
    """A raw item for a typed row to point at."""
    item = RawItem(source="test", source_id=f"t{next(_ids)}", kind=kind, received_at=NOW, observed_at=NOW,
                   record={}, raw=b"{}", state="done")
    session.add(item)
    session.flush()
    return item.id


def add_incident(session: Any, **kw: Any) -> IncidentRow:
    """An unverified flood incident in 津市 unless told otherwise."""
    values = {"hazard": "flood", "title": "津市 大門 冠水", "lat": 34.72, "lng": 136.51, "place_name": "大門",
              "municipality": "津市", "municipality_code": "24201", "severity": 3, "status": "unverified",
              "first_seen": NOW - timedelta(minutes=20), "last_seen": NOW, "post_count": 2,
              "updated_at": NOW, **kw}
    row = IncidentRow(**values)
    session.add(row)
    session.flush()
    return row


def add_post(session: Any, text: str, **kw: Any) -> PostRow:
    """A flagged, placed post."""
    item_id = raw(session, "post")
    values = {"id": item_id, "source": "test", "source_id": f"p{item_id}", "author": "resident", "text": text,
              "lang": "ja", "observed_at": NOW - timedelta(minutes=5), "label": "disaster", "score": 0.93,
              "categories": [["flood", 0.9]], "places": [{"name": "大門"}], "lat": 34.72, "lng": 136.51,
              "municipality": "津市", "municipality_code": "24201", **kw}
    row = PostRow(**values)
    session.add(row)
    session.flush()
    return row


def add_gauge(session: Any, gauge_id: str, level_m: float, level: int, at: datetime) -> GaugeReadingRow:
    """A river gauge reading."""
    row = GaugeReadingRow(id=raw(session, "gauge"), gauge_id=gauge_id, name="高岡", river="雲出川", observed_at=at,
                          lat=34.64, lng=136.47, level_m=level_m, warning_level=level, threshold_name=None)
    session.add(row)
    session.flush()
    return row


def add_camera(session: Any, camera_id: str, image_path: str, thumb: str | None = None) -> CameraImageRow:
    """A camera still row."""
    row = CameraImageRow(id=raw(session, "camera"), camera_id=camera_id, name="安濃川 カメラ", observed_at=NOW,
                         lat=34.73, lng=136.50, image_path=image_path, thumbnail_path=thumb, status="ok")
    session.add(row)
    session.flush()
    return row


def add_alert(session: Any, alert_id: str = "jma-1-heavy_rain-issued", **kw: Any) -> AlertRow:
    """A relayed JMA heavy-rain warning for 津市."""
    values = {"id": alert_id, "source": "jma", "ref": "official:1", "hazard": "heavy_rain", "event": "大雨警報",
              "level": 3, "severity": "Severe", "urgency": "Expected", "certainty": "Likely",
              "areas": [{"code": "2420100", "name": "津市"}],
              "slots": {"kind": "issued", "event_key": "heavy_rain_warning", "event_name": "大雨警報",
                        "time": NOW.isoformat(), "source": "jma"},
              "sent": NOW, "expires": None, **kw}
    row = AlertRow(**values)
    session.add(row)
    session.flush()
    return row


def add_warning_report(session: Any, items: list[dict[str, Any]], at: datetime = NOW) -> OfficialReportRow:
    """A parsed VPWW53 telegram with the given items."""
    row = OfficialReportRow(id=raw(session, "official"), source="jma_extra", source_id="w",
                            title="三重県気象警報・注意報", info_kind="気象警報・注意報", info_type="発表",
                            status="通常", report_type="warning",
                            report_datetime=at, headline="", items=items, area_codes=[], level=3)
    session.add(row)
    session.flush()
    return row


def warning_item(code: str, name: str, kind: str, level: int | None, in_force: bool = True) -> dict[str, Any]:
    """A municipality-level warning item as collectors.jma_meteo writes it."""
    return {"type": "warning", "scope": "気象警報・注意報（市町村等）", "area_code": code, "area_name": name,
            "kind_name": kind, "status": "発表" if in_force else "解除", "in_force": in_force, "level": level}


async def login(client: Any, store: Store, username: str = "ops", password: str = "s3cret-pass") -> str:
    """Create an operator and log the test client in as it; returns the session's CSRF token."""
    from bosai.web.auth import create_operator

    await create_operator(store, username, password)
    token = (await (await client.get("/api/session")).json())["csrf"]
    resp = await client.post("/login", json={"username": username, "password": password},
                             headers={"X-CSRF-Token": token})
    assert resp.status == 200, await resp.text()
    return str((await resp.json())["csrf"])
