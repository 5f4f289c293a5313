"""Typed records exchanged between the stages.

Collectors yield these; the store persists their raw bytes first and their fields after; the classifier,
the geocoder and the publisher read them. ``(source, source_id)`` is the idempotency key everywhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol

RecordKind = Literal["post", "official", "gauge", "camera", "evacuation"]

EARLIEST_TIME: Final = datetime(2000, 1, 1, tzinfo=UTC)
MAX_AHEAD: Final = timedelta(days=1)


def time_problem(value: datetime, now: datetime) -> str | None:
    """Why ``value`` cannot be when an item was observed, or None when it can.

    Times before 2000 or more than a day after ``now`` are bad input, not data: near the ends of the
    calendar (``0001-01-01T00:00+14:00``, ``9999-12-31``) converting to UTC or adding an incident window
    overflows, and no source of this service has items from before 2000 or from tomorrow.
    """
    if value.utcoffset() is None:
        return "has no UTC offset"
    if value < EARLIEST_TIME:
        return f"is before {EARLIEST_TIME.year}"
    if value > now + MAX_AHEAD:
        return "is more than a day in the future"
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Common envelope: where an item came from and when it was observed."""

    source: str  # name of the config block, e.g. "x_mie"
    source_id: str  # upstream id, unique within the source
    observed_at: datetime  # timezone-aware

    kind: RecordKind = field(init=False, default="post")

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-able dict of the record (datetimes as ISO 8601).

        A walk over the fields, not ``dataclasses.asdict``: its deep copies cost more than the insert of the item.
        """
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Post(Record):
    """A social-media post (X, Mastodon, webhook)."""

    author: str
    text: str
    lang: str | None = None
    url: str | None = None
    media_urls: tuple[str, ...] = ()
    geo: tuple[float, float] | None = None  # (lat, lng) from the post's own geotag
    matched_terms: tuple[str, ...] = ()  # prefilter keywords found in the text
    repost_of: str | None = None

    kind: RecordKind = field(init=False, default="post")


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficialReport(Record):
    """A JMA disaster XML telegram parsed into typed items (warnings per area, quake, tsunami, ...)."""

    title: str  # Head/Title
    info_kind: str  # Head/InfoKind
    info_type: str  # Head/InfoType: 発表 / 訂正 / 取消 ...
    status: str  # Control/Status: 通常 / 訓練 / 試験
    report_datetime: datetime  # Head/ReportDateTime
    headline: str = ""
    report_type: str = "other"  # warning, earthquake, tsunami, flood_forecast, landslide, heavy_rain, other
    publishing_office: str = ""
    items: tuple[dict[str, Any], ...] = ()  # JSON-able typed items, each with a "type" key
    area_codes: tuple[str, ...] = ()
    level: int | None = None  # highest 警戒レベル相当 in the report, if any
    event_id: str = ""  # Head/EventID: reports about one event share it (取消 names the one it cancels)
    valid_until: datetime | None = None  # Head/ValidDateTime, when the telegram states its validity

    kind: RecordKind = field(init=False, default="official")


@dataclass(frozen=True, slots=True, kw_only=True)
class GaugeReading(Record):
    """A river water-level reading with its derived warning level, trend and crossing."""

    gauge_id: str
    name: str
    river: str
    lat: float
    lng: float
    level_m: float | None  # None when the gauge reported no value (欠測)
    warning_level: int = 0  # 警戒レベル相当: 0 (below standby) .. 5
    threshold_name: str | None = None  # highest threshold reached, e.g. "氾濫危険水位"
    trend_m_per_h: float | None = None
    crossing: Literal["up", "down"] | None = None  # a level change this reading caused
    stale: bool = False

    kind: RecordKind = field(init=False, default="gauge")


@dataclass(frozen=True, slots=True, kw_only=True)
class CameraImage(Record):
    """A still image from a river or road camera, stored on disk."""

    camera_id: str
    name: str
    lat: float
    lng: float
    image_path: str  # path of the stored image under var/
    thumbnail_path: str | None = None
    content_type: str = "image/jpeg"
    size_bytes: int = 0
    status: Literal["ok", "stale", "offline"] = "ok"

    kind: RecordKind = field(init=False, default="camera")


@dataclass(frozen=True, slots=True, kw_only=True)
class EvacuationNotice(Record):
    """A municipality's evacuation information as received (CAP from a municipal system) or entered by an
    operator: 発令 or a change of level (``level`` 3/4/5), or 解除 (``lifted``). ``observed_at`` is the time
    the municipality states; ``source_id`` the CAP identifier, so a resent message is stored once."""

    municipality_code: str  # 5-digit JIS code of one of Mie's 29 municipalities
    level: int | None  # 3 高齢者等避難, 4 避難指示, 5 緊急安全確保; None for a 解除
    lifted: bool = False
    towns: tuple[str, ...] = ()  # the towns it covers; empty: the whole municipality
    hazard: str = ""  # the reason: flood, landslide, storm_surge, tsunami, heavy_rain ...
    sender: str = ""  # CAP <sender> or "operator:<name>"
    status: str = "Actual"  # CAP status: Actual or Exercise

    kind: RecordKind = field(init=False, default="evacuation")


RECORD_TYPES: dict[str, type[Record]] = {
    "post": Post,
    "official": OfficialReport,
    "gauge": GaugeReading,
    "camera": CameraImage,
    "evacuation": EvacuationNotice,
}


def record_from_json(data: dict[str, Any]) -> Record:
    """Rebuild a record from :meth:`Record.to_json` output."""
    data = dict(data)
    cls = RECORD_TYPES[data.pop("kind")]
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in names or f.name not in data:
            continue
        value = data[f.name]
        if f.name in ("observed_at", "report_datetime", "valid_until") and isinstance(value, str):
            value = datetime.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Prediction:
    """Classifier output for one post."""

    label: Literal["disaster", "other"]
    score: float  # probability of "disaster"
    categories: tuple[tuple[str, float], ...] = ()  # (name, score), best first, above threshold


@dataclass(frozen=True, slots=True)
class Place:
    """A place found in a text, with coordinates."""

    name: str
    kind: str  # municipality, town, river, gauge, road, station, bridge, shelter, landmark, geotag
    lat: float
    lng: float
    confidence: float
    code: str | None = None  # LG code (6 digits) of the municipality or town's municipality
    municipality: str | None = None


class RecordSink(Protocol):
    """Where a collector hands each record: persisted raw first, then queued for processing."""

    async def __call__(self, record: Record, raw: bytes) -> bool:
        """Store and enqueue; return False when (source, source_id) was already stored."""
        ...


class Classifier(Protocol):
    """Scores a batch of post texts."""

    version: str

    def predict(self, texts: list[str], *, batch_size: int = 64) -> list[Prediction]:
        """Return one prediction per text, in order."""
        ...


class Geocoder(Protocol):
    """Finds the places a Japanese text mentions."""

    def resolve(self, text: str, *, geo: tuple[float, float] | None = None) -> list[Place]:
        """Return places best first; empty when the text names no place in the prefecture."""
        ...
