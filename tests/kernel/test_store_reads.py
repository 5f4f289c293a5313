"""The store's reads and its row-to-record conversions (kernel.store.snapshots, alerts, incidents, observations)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta

import pytest

from kernel.published import Alert
from kernel.records import GaugeReading, Post
from kernel.store import Store, repo
from kernel.store import alerts as stored_alerts
from kernel.store import incidents as stored_incidents
from kernel.store.models import AlertRow, IncidentRow, PostRow
from kernel.store.observations import gauge_series, latest_gauges
from kernel.store.snapshots import alert_record, incident_record, post_record

T0 = datetime(2026, 9, 12, 10, 0, tzinfo=UTC)


def _reading(gauge_id: str, minutes: int, level_m: float | None) -> GaugeReading:
    return GaugeReading(source="river", source_id=f"{gauge_id}@{minutes}", observed_at=T0 + timedelta(minutes=minutes),
                        gauge_id=gauge_id, name="高岡", river="鈴鹿川", lat=34.9, lng=136.6, level_m=level_m,
                        warning_level=2, crossing="up")


async def test_latest_gauges_are_records_of_the_newest_reading(store: Store) -> None:
    for reading in (_reading("a", 0, 1.0), _reading("a", 10, None), _reading("a", 20, 2.5), _reading("b", 5, 0.5)):
        await store.write(lambda s, r=reading: repo.save_raw(s, r, b"{}", T0))
    latest = {r.gauge_id: r for r in await store.read(latest_gauges)}
    assert latest["a"] == _reading("a", 20, 2.5) and latest["b"] == _reading("b", 5, 0.5)  # source ids included
    series = await store.read(lambda s: gauge_series(s, T0, T0 + timedelta(minutes=15)))
    assert series == {"a": [(T0, 1.0)], "b": [(T0 + timedelta(minutes=5), 0.5)]}  # no level: no point


async def test_records_are_frozen_snapshots_of_their_rows(store: Store) -> None:
    post = Post(source="x_mie", source_id="p1", observed_at=T0, author="a", text="津で冠水")

    def seed(s):
        post_id = repo.save_raw(s, post, b"", T0)
        incident = IncidentRow(hazard="flood", title="津で冠水", lat=34.7, lng=136.5, place_name="津市",
                               municipality="津市", municipality_code="24201", severity=2, status="unverified",
                               first_seen=T0, last_seen=T0, post_count=1, duplicate_count=0,
                               corroborated_by=["gauge:a"], updated_at=T0)
        s.add(incident)
        s.flush()
        row = s.get(PostRow, post_id)
        row.label, row.categories, row.incident_id = "disaster", [["flood", 0.8]], incident.id
        row.places, row.lat, row.lng = [{"name": "津市", "kind": "municipality"}], 34.7, 136.5
        alert = AlertRow(id="a1", source="jma", ref="official:1", hazard="flood", event="洪水警報", level=3,
                         severity="Severe", urgency="Expected", certainty="Likely", msg_type="Alert", status="Actual",
                         areas=[{"code": "24201", "name": "津市"}, {"name": "no code"}], slots={"kind": "issued"},
                         sent=T0, expires=None)
        s.add(alert)
        s.flush()
        made = alert_record(alert), incident_record(incident), post_record(row)
        alert.slots["kind"], alert.areas[0]["name"], incident.corroborated_by = "lifted", "x", []  # after the snapshot
        return made

    alert, incident, placed = await store.write(seed)
    assert alert.slots == {"kind": "issued"} and alert.areas[0]["name"] == "津市"
    assert alert.area_codes == ["24201", ""] and incident.corroborated_by == ("gauge:a",)
    assert (placed.place, placed.categories, placed.incident_id) == ("津市", (("flood", 0.8),), incident.id)
    with pytest.raises(FrozenInstanceError):
        alert.level = 5  # type: ignore[misc]
    found = await store.read(lambda s: stored_alerts.alert(s, "a1"))
    assert isinstance(found, Alert) and found.id == "a1"
    assert [a.id for a in await store.read(lambda s: stored_alerts.active_alerts(s, T0))] == ["a1"]


async def test_the_triage_queue_marks_quiet_unverified_incidents_stale(store: Store) -> None:
    def seed(s):
        for n, (status, minutes) in enumerate((("unverified", 0), ("unverified", 50), ("confirmed", 0))):
            s.add(IncidentRow(hazard="flood", title=f"#{n}", lat=34.7, lng=136.5, place_name="津市", severity=2,
                              status=status, first_seen=T0, last_seen=T0 + timedelta(minutes=minutes), post_count=1,
                              duplicate_count=0, corroborated_by=[], updated_at=T0))

    await store.write(seed)
    before = T0 + timedelta(minutes=30)
    page = await store.read(lambda s: stored_incidents.triage_queue(
        s, stored_incidents.Filters(), before, statuses=stored_incidents.QUEUE_STATUSES["open"]))
    assert page.total == 3 and [i.title for i in page.rows][-1] == "#0"  # stale last
    assert page.stale == {page.rows[-1].id}
    assert [stored_incidents.is_stale(i, before) for i in page.rows].count(True) == 1
