"""Frozen snapshots of what the service publishes: incidents, alerts, placed posts and evacuation information.

The store turns its rows into these (``kernel.store.snapshots``) at the end of a read or a write, so the
renderers in ``publish`` (CAP, Atom, GeoJSON, messages, the static map) are pure functions of records and never
touch a session; a snapshot taken inside the writer's transaction is what was committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """Posts and observations grouped by place, time and hazard, as an operator reviews them."""

    id: int
    hazard: str  # a classifier category
    title: str  # the start of its first post (never shown to the public)
    lat: float
    lng: float
    place_name: str
    municipality: str | None
    municipality_code: str | None
    severity: int  # 1..5, the warning-level scale
    status: str  # unverified, confirmed, dismissed, resolved, merged
    first_seen: datetime
    last_seen: datetime
    post_count: int
    duplicate_count: int
    corroborated_by: tuple[str, ...]  # "gauge:<id>", "camera:<id>", "jma:<id>"
    merged_into: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """An alert for residents: relayed from JMA or a municipality, a gauge crossing, or a confirmed incident."""

    id: str
    source: str  # jma, gauge, incident, municipality
    ref: str  # id of what it came from
    hazard: str
    event: str  # e.g. 大雨警報, 氾濫危険水位
    level: int | None  # 警戒レベル相当
    severity: str  # CAP severity, urgency and certainty
    urgency: str
    certainty: str
    msg_type: str  # Alert / Update / Cancel
    status: str  # CAP status: Actual, Exercise
    areas: tuple[Mapping[str, Any], ...]  # {"code", "name", "lat"?, "lng"?}
    slots: Mapping[str, Any]  # values for the message templates
    sent: datetime
    expires: datetime | None
    references: str | None  # the first alert replaced (all of them in slots["references"])
    family: str | None
    ended_at: datetime | None  # when a later alert replaced or cancelled it

    @property
    def area_codes(self) -> list[str]:
        """The codes of its areas, in order ("" for an area without one)."""
        return [str(a.get("code") or "") for a in self.areas]


@dataclass(frozen=True, slots=True, kw_only=True)
class MapPost:
    """A classified post as operators see it on the map and the triage cards."""

    id: int
    source: str
    author: str
    text: str
    url: str | None
    label: str | None
    score: float | None
    categories: tuple[tuple[str, float], ...]  # (name, score), as the classifier gave them
    place: str | None  # the name of its best place
    lat: float | None
    lng: float | None
    municipality: str | None
    observed_at: datetime
    incident_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Evacuation:
    """One episode of a municipality's evacuation information (高齢者等避難 / 避難指示 / 緊急安全確保), 発令 to 解除."""

    id: int
    municipality_code: str  # 5-digit JIS, e.g. 24201
    municipality: str  # e.g. 津市
    towns: tuple[str, ...]  # empty: the whole municipality
    level: int  # 3, 4 or 5 (kept after 解除: the level that was lifted)
    hazard: str  # the reason: flood, landslide, storm_surge ...
    issued_at: datetime  # first 発令
    updated_at: datetime  # the time stated by the last notice applied
    lifted_at: datetime | None  # 解除
    source: str  # how it reached the service: "operator" or the CAP source's name
    sender: str  # operator name or the CAP <sender>
    alert_id: str | None  # the resident alert now standing for it
