"""Fixtures for the publish tests: a migrated SQLite store and factories for posts, readings and reports."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from publish_records import HOSTILE, T0
from publish_records import sample_alerts as build_sample_alerts
from sqlalchemy.orm import Session

from kernel.published import Alert
from kernel.records import GaugeReading, OfficialReport, Post
from kernel.store import Store
from kernel.store.models import AlertRow, GaugeReadingRow, OfficialReportRow, PostRow
from kernel.store.repo import save_raw

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jma" / "samples"
CAP_XSD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "schemas" / "cap12.xsd"
_ids = itertools.count(1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store without the writer thread (tests use sessions directly)."""
    s = Store(f"sqlite:///{tmp_path}/t.db")
    s.upgrade()
    yield s
    s.close()


@pytest.fixture
def session(db: Store) -> Iterator[Session]:
    """An open session on the test store."""
    with db.session() as s:
        yield s


PostFactory = Callable[..., PostRow]


@pytest.fixture
def make_post(session: Session) -> PostFactory:
    """Store a classified, geocoded post and return its row."""

    def make(text: str, *, lat: float | None = 34.965, lng: float | None = 136.624, minutes: float = 0,
             label: str = "disaster", categories: list[list[object]] | None = None,
             place: str = "四日市市", municipality_code: str = "24202") -> PostRow:
        n = next(_ids)
        at = T0 + timedelta(minutes=minutes)
        record = Post(source="x_mie", source_id=f"p{n}", observed_at=at, author=f"user{n}", text=text)
        item_id = save_raw(session, record, text.encode(), at)
        row = session.get(PostRow, item_id)
        row.label = label
        row.score = 0.9
        row.categories = categories if categories is not None else [["flood", 0.92]]
        if lat is not None:
            row.places = [{"name": place, "kind": "municipality", "lat": lat, "lng": lng, "confidence": 0.9,
                           "code": municipality_code, "municipality": place}]
            row.lat, row.lng, row.municipality, row.municipality_code = lat, lng, place, municipality_code
        session.flush()
        return row

    return make


@pytest.fixture
def make_reading(session: Session) -> Callable[..., GaugeReadingRow]:
    """Store a gauge reading and return its row."""

    def make(*, level: int, crossing: str | None, minutes: float = 0, gauge_id: str = "suzuka-takaoka",
             threshold: str | None = None, level_m: float = 4.1, lat: float = 34.966,
             lng: float = 136.626) -> GaugeReadingRow:
        n = next(_ids)
        at = T0 + timedelta(minutes=minutes)
        record = GaugeReading(source="river", source_id=f"g{n}", observed_at=at, gauge_id=gauge_id,
                              name="高岡", river="鈴鹿川", lat=lat, lng=lng, level_m=level_m,
                              warning_level=level, threshold_name=threshold, crossing=crossing)
        item_id = save_raw(session, record, b"{}", at)
        session.flush()
        return session.get(GaugeReadingRow, item_id)

    return make


@pytest.fixture
def store_report(session: Session) -> Callable[[OfficialReport], OfficialReportRow]:
    """Store a parsed JMA report and return its row."""

    def store(report: OfficialReport) -> OfficialReportRow:
        item_id = save_raw(session, report, b"<Report/>", report.report_datetime)
        session.flush()
        return session.get(OfficialReportRow, item_id)

    return store



def _warning_report(n: int, kind: str, status: str, last: str | None, minutes: float) -> OfficialReport:
    at = T0 + timedelta(minutes=minutes)
    item = {"type": "warning", "scope": "気象警報・注意報（市町村等）", "area_code": "2420200",
            "area_name": "四日市市", "kind_code": "03", "kind_name": kind, "status": status,
            "last_kind_name": last, "level": 3}
    return OfficialReport(source="jma", source_id=f"w{n}", observed_at=at, title="三重県気象警報・注意報",
                          info_kind="気象警報・注意報", info_type="発表", status="通常", report_datetime=at,
                          headline="", report_type="warning", items=(item,), area_codes=("2420200",))


@pytest.fixture
def alert_set(session, store_report, make_post, make_reading):
    """One alert of every kind the service makes, one of them with hostile HTML in its place name."""
    from publish import alerts, incidents, triage

    made = []
    made += alerts.alerts_from_report(session, store_report(_warning_report(1, "大雨警報", "発表", None, 0)),
                                      areas=["240000"])
    made += alerts.alerts_from_report(
        session, store_report(_warning_report(2, "大雨注意報", "解除", "大雨警報", 90)), areas=["240000"])
    quake = OfficialReport(source="jma", source_id="q1", observed_at=T0, title="震源・震度に関する情報",
                           info_kind="地震情報", info_type="発表", status="通常", report_datetime=T0,
                           report_type="earthquake", items=(
                               {"type": "earthquake", "origin_time": T0.isoformat(), "max_int": "5-"},
                               {"type": "intensity", "scope": "area", "name": "三重県北部", "code": "460",
                                "max_int": "5-"}), area_codes=("460",))
    made += alerts.alerts_from_report(session, store_report(quake), areas=["240000"])
    made.append(alerts.alert_from_gauge(session, make_reading(level=4, crossing="up",
                                                              threshold="氾濫危険水位", minutes=5)))
    made.append(alerts.alert_from_gauge(session, make_reading(level=1, crossing="down", minutes=50)))
    post = make_post(f"冠水 {HOSTILE}", place=HOSTILE)
    incident = incidents.attach_post(session, post, window=timedelta(minutes=90), radius_km=3.0,
                                     now=post.observed_at)
    triage.confirm(session, incident.id, "tanaka")
    made.append(session.get(AlertRow, f"incident-{incident.id}"))
    session.flush()
    assert all(a is not None for a in made) and len(made) == 6
    return made


@pytest.fixture
def sample_alerts() -> list[Alert]:
    """One alert record of every kind, built directly (no database): see publish_records.sample_alerts."""
    return build_sample_alerts()
