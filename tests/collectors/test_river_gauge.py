"""River gauge collector against the fake MLIT-style endpoint: levels, crossings, staleness, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.river_gauge import parse_readings
from kernel.errors import ConfigError, SourceDataError, SourceUnavailable
from kernel.records import GaugeReading

JST = timezone(timedelta(hours=9))
T0 = datetime(2026, 9, 12, 19, 0, tzinfo=JST)
GAUGE = {"id": "2400000901", "name": "試験橋", "river": "試験川", "lat": 34.7, "lng": 136.5,
         "thresholds_m": {"standby": 2.0, "caution": 3.0, "evacuation_judgement": 3.5, "danger": 4.0}}


def item(minutes: int, level: float | None, code: str = "2400000901") -> dict:
    return {"code": code, "name": "試験橋", "obsTime": (T0 + timedelta(minutes=minutes)).isoformat(),
            "level": level, "townCode": "24201", "prefCode": "24000", "latitude": 34.7, "longitude": 136.5}


@pytest.fixture
def clock():
    now = {"t": T0}
    return now


@pytest.fixture
def gauge(fake, build, clock):
    fs, base = fake
    g = build(kind="river_gauge", name="mie_gauges", url=f"{base}/river/readings.json", gauges=[GAUGE],
              stale_after_min=30)
    g.clock = lambda: clock["t"]
    return fs, g


async def poll(g) -> list[GaugeReading]:
    return [r async for r, _ in g.records()]


async def test_levels_trend_and_crossings(gauge, clock) -> None:
    fs, g = gauge
    series = [(0, 2.5), (10, 2.9), (20, 3.1), (30, 3.6), (40, 4.1), (50, 3.98), (60, 3.2)]
    seen = []
    for minutes, level in series:
        fs.set_gauge_items([item(minutes, level), item(minutes, 9.9, code="9999999999")])
        clock["t"] = T0 + timedelta(minutes=minutes)
        seen += await poll(g)
    assert [r.warning_level for r in seen] == [1, 1, 2, 3, 4, 4, 2]
    assert [r.crossing for r in seen] == [None, None, "up", "up", "up", None, "down"]
    assert seen[4].threshold_name == "氾濫危険水位" and seen[0].threshold_name == "水防団待機水位"
    assert seen[3].trend_m_per_h == pytest.approx(2.1)  # least squares over the last hour
    assert seen[0].source_id == f"2400000901:{T0.isoformat()}" and seen[0].gauge_id == "2400000901"


async def test_same_obs_time_yields_nothing_then_stale_once(gauge, clock) -> None:
    fs, g = gauge
    fs.set_gauge_items([item(0, 2.5)])
    assert len(await poll(g)) == 1
    assert await poll(g) == []
    clock["t"] = T0 + timedelta(minutes=45)
    stale = await poll(g)
    assert len(stale) == 1 and stale[0].stale and stale[0].level_m == 2.5
    assert stale[0].source_id.endswith(":stale")
    assert await poll(g) == []
    fs.set_gauge_items([item(50, 2.6)])
    fresh = await poll(g)
    assert len(fresh) == 1 and not fresh[0].stale


async def test_missing_level_keeps_the_state(gauge) -> None:
    fs, g = gauge
    fs.set_gauge_items([item(0, 3.2)])
    await poll(g)
    fs.set_gauge_items([item(10, None)])
    (reading,) = await poll(g)
    assert reading.level_m is None and reading.warning_level == 2 and reading.crossing is None


async def test_bad_obs_time_is_rejected_not_fatal(gauge) -> None:
    fs, g = gauge
    rejected = []

    async def reject(source, err):
        rejected.append(err)

    g.bind(reject=reject)
    fs.set_gauge_items([{"code": "2400000901", "obsTime": "19時", "level": 1.0}])
    assert await poll(g) == []
    assert len(rejected) == 1 and b"19" in rejected[0].raw


@pytest.mark.parametrize(
    ("fault", "error"),
    [({"status": 502}, SourceUnavailable), ({"body": b"{not json"}, SourceDataError),
     ({"body": b"{\"items\": [" + b"1," * 3000}, SourceDataError),
     ({"body": b'{"items": 5}'}, SourceDataError), ({"truncate": True}, SourceUnavailable)],
)
async def test_faults(gauge, fault, error) -> None:
    fs, g = gauge
    fs.set_gauge_items([item(0, 2.5)])
    for key, value in fault.items():
        setattr(fs.faults["river"], key, value)
    with pytest.raises(error):
        await poll(g)


def test_parse_shift_jis_declared_or_not_and_csv() -> None:
    sjis = '{"items": [{"name": "試験橋"}]}'.encode("cp932")
    assert parse_readings(sjis, "json") == parse_readings(sjis, "json", "shift_jis") == [{"name": "試験橋"}]
    with pytest.raises(SourceDataError, match="not valid text"):
        parse_readings(b"\x81\x20\x81\x20", "json")
    rows = parse_readings(b"code,obsTime,level\n2400000901,2026-09-12T19:00:00+09:00,2.5\n", "csv")
    assert rows == [{"code": "2400000901", "obsTime": "2026-09-12T19:00:00+09:00", "level": "2.5"}]
    assert parse_readings(b'{"obss": [{"code": "1"}, 3]}', "json") == [{"code": "1"}]


def test_config_errors_name_the_block(build) -> None:
    bad = dict(GAUGE, thresholds_m={"standby": 2.0, "caution": 3.0, "evacuation_judgement": 3.5})
    with pytest.raises(ConfigError, match=r"sources\[0\] \(kumozu\): gauges.0.thresholds_m.danger"):
        build(kind="river_gauge", name="kumozu", url="http://x/", gauges=[bad])


async def test_real_snapshot_format_is_read() -> None:
    from collector_paths import SAMPLES

    snapshot = SAMPLES.parents[1] / "river" / "2025-09-12-19.json"
    if not snapshot.exists():
        pytest.skip("river snapshot not present")
    rows = parse_readings(snapshot.read_bytes(), "json")
    mie = [r for r in rows if r.get("prefCode") == "24000"]
    assert mie and all(datetime.fromisoformat(r["obsTime"]).tzinfo is not None for r in mie)
    assert datetime.now(UTC) > datetime.fromisoformat(mie[0]["obsTime"])


async def test_shift_jis_served_with_its_charset(gauge) -> None:
    fs, g = gauge
    body = '{"items": [{"code": "2400000901", "name": "試験橋", "obsTime": "2026-09-12T19:00:00+09:00", "level": 3.1}]}'
    fs.faults["river"].body = body.encode("cp932")
    fs.faults["river"].content_type = "application/json; charset=Shift_JIS"
    (reading,) = await poll(g)
    assert reading.warning_level == 2 and reading.name == "試験橋"
