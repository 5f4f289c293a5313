"""Load and check the built-in demo scenario: telegrams, gauges, cameras and posts of one day in Mie."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from lxml import etree

from kernel.errors import BosaiError

SCENARIO_DIR: Final = Path(__file__).resolve().parent / "scenario"
CHANNELS: Final = ("x", "mastodon", "webhook")
_FLAD_MARGIN_M: Final = 1.0  # invented 氾濫開始水位 above 氾濫危険水位, for the MLIT-style item


class ScenarioError(BosaiError):
    """The scenario files are missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Telegram:
    """One JMA telegram and when, in scenario time, it is published."""

    at: datetime
    file: str
    data_type: str
    feed: str
    office: str
    xml: bytes


@dataclass(frozen=True, slots=True)
class Gauge:
    """A demo river gauge: invented code and thresholds on a real river, with its level series."""

    code: str
    name: str
    river: str
    station: str
    town_code: str
    city: str
    lat: float
    lng: float
    thresholds_m: dict[str, float]
    levels_m: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Camera:
    """A river or road camera; ``gauge`` links the water drawn in its stills to a gauge's level."""

    id: str
    name: str
    kind: str
    lat: float
    lng: float
    gauge: str | None


@dataclass(frozen=True, slots=True)
class ScenarioPost:
    """A social post of the day with its channel and the label the scenario expects (for checks)."""

    id: str
    at: datetime
    channel: str
    author: str
    text: str
    lang: str
    geo: tuple[float, float] | None
    media: tuple[str, ...]
    repost_of: str | None
    topic: str
    expect_label: str
    expect_categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    """The whole day: meta data plus the four event streams, each in time order."""

    title: str
    start: datetime
    end: datetime
    default_replay_start: datetime
    gauge_start: datetime
    gauge_step: timedelta
    camera_interval: timedelta
    telegrams: tuple[Telegram, ...]
    gauges: tuple[Gauge, ...]
    cameras: tuple[Camera, ...]
    posts: tuple[ScenarioPost, ...]

    def gauge_times(self) -> list[datetime]:
        """Observation times of the hydrograph (every step from ``gauge_start``)."""
        count = len(self.gauges[0].levels_m) if self.gauges else 0
        return [self.gauge_start + self.gauge_step * i for i in range(count)]

    def gauge_level(self, gauge: Gauge, at: datetime) -> float:
        """The last observed level at or before ``at`` (the first one before the series starts)."""
        index = int((at - self.gauge_start) / self.gauge_step)
        return gauge.levels_m[min(max(index, 0), len(gauge.levels_m) - 1)]

    def gauge_items(self, at: datetime) -> list[dict[str, Any]]:
        """MLIT 川の水位情報-style items of every gauge as observed at ``at`` (obsTime on the 10-minute step)."""
        times = self.gauge_times()
        obs = times[max(bisect.bisect_right(times, at) - 1, 0)]
        return [_mlit_item(g, obs, self.gauge_level(g, obs)) for g in self.gauges]

    def river_gauge_block(self, url: str, *, name: str = "demo_river", interval_s: float = 5.0) -> dict[str, Any]:
        """The ``[[sources]]`` block for ``collectors.river_gauge`` reading the fake gauge endpoint."""
        return {
            "kind": "river_gauge", "name": name, "url": url, "interval_s": interval_s, "allow_private": True,
            "gauges": [{"id": g.code, "name": g.name, "river": g.river, "lat": g.lat, "lng": g.lng,
                        "thresholds_m": dict(g.thresholds_m)} for g in self.gauges],
        }


def _mlit_item(g: Gauge, obs: datetime, level: float) -> dict[str, Any]:
    flad = round(g.thresholds_m["danger"] + _FLAD_MARGIN_M, 2)
    return {
        "code": g.code, "name": g.name, "obsTime": obs.isoformat(timespec="seconds"), "level": level,
        "townCode": g.town_code, "prefCode": "24000", "startLevel": g.thresholds_m["standby"],
        "warnLevel": g.thresholds_m["danger"], "fladLevel": flad, "qt": None, "kana": "", "addrKana": "",
        "observedAt": obs.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "placeCountry": "日本",
        "placeRiver": g.river, "placePref": "三重県", "placeCity": f"三重県{g.city}",
        "isWarning": level >= g.thresholds_m["danger"], "isFlood": level >= flad,
        "latitude": g.lat, "longitude": g.lng,
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ScenarioError(f"{path.name}: {err}") from err


def _time(value: Any, where: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise ScenarioError(f"{where}: bad time {value!r}") from err
    if at.tzinfo is None:
        raise ScenarioError(f"{where}: time {value!r} has no UTC offset")
    return at


def _check_order(times: list[datetime], what: str) -> None:
    for i in range(1, len(times)):
        if times[i] < times[i - 1]:
            raise ScenarioError(f"{what}: entry {i} is earlier than the one before it")


def _telegrams(root: Path) -> tuple[Telegram, ...]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    out = []
    for i, entry in enumerate(_read_json(root / "timeline.json")):
        where = f"timeline.json[{i}]"
        try:
            path = root / entry["file"]
            xml = path.read_bytes()
            etree.fromstring(xml, parser)
            out.append(Telegram(at=_time(entry["time"], where), file=entry["file"], data_type=entry["data_type"],
                                feed=entry["feed"], office=entry["office"], xml=xml))
        except (KeyError, TypeError) as err:
            raise ScenarioError(f"{where}: missing field {err}") from err
        except OSError as err:
            raise ScenarioError(f"{where}: {err}") from err
        except etree.XMLSyntaxError as err:
            raise ScenarioError(f"{where}: {entry['file']} is not well-formed XML: {err}") from err
    _check_order([t.at for t in out], "timeline.json")
    return tuple(out)


def _post(line: str, n: int) -> ScenarioPost:
    where = f"posts.jsonl line {n}"
    try:
        d = json.loads(line)
        if d["channel"] not in CHANNELS or not str(d["text"]).strip():
            raise ScenarioError(f"{where}: bad channel {d['channel']!r} or empty text")
        geo = (float(d["geo"][0]), float(d["geo"][1])) if d.get("geo") else None
        return ScenarioPost(
            id=str(d["id"]), at=_time(d["time"], where), channel=d["channel"], author=str(d["author"]),
            text=str(d["text"]), lang=str(d.get("lang") or "ja"), geo=geo,
            media=tuple(d.get("media") or ()), repost_of=d.get("repost_of"), topic=str(d.get("topic", "")),
            expect_label=d["expect"]["label"], expect_categories=tuple(d["expect"].get("categories", ())))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise ScenarioError(f"{where}: {err!r}") from err


def load_scenario(root: Path | str | None = None) -> Scenario:
    """Read and check the scenario folder (default: the one shipped in the package)."""
    root = Path(root) if root else SCENARIO_DIR
    meta = _read_json(root / "scenario.json")
    gdoc = _read_json(root / "gauges.json")
    try:
        gauges = tuple(Gauge(code=g["code"], name=g["name"], river=g["river"], station=g["station"],
                             town_code=g["town_code"], city=g["city"], lat=g["lat"], lng=g["lng"],
                             thresholds_m=dict(g["thresholds_m"]), levels_m=tuple(g["levels_m"]))
                       for g in gdoc["gauges"])
        cameras = tuple(Camera(**c) for c in _read_json(root / "cameras.json"))
        lines = (root / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    except (KeyError, TypeError, OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{root}: {err!r}") from err
    if len({len(g.levels_m) for g in gauges}) > 1:
        raise ScenarioError("gauges.json: level series differ in length")
    posts = tuple(_post(line, n) for n, line in enumerate(lines, 1) if line.strip())
    _check_order([p.at for p in posts], "posts.jsonl")
    return Scenario(
        title=str(meta.get("title", "")), start=_time(meta["start"], "scenario.json"),
        end=_time(meta["end"], "scenario.json"),
        default_replay_start=_time(meta["default_replay_start"], "scenario.json"),
        gauge_start=_time(gdoc["start"], "gauges.json"), gauge_step=timedelta(minutes=gdoc["step_min"]),
        camera_interval=timedelta(minutes=meta.get("camera_interval_min", 10)),
        telegrams=_telegrams(root), gauges=gauges, cameras=cameras, posts=posts)
