"""Group disaster posts into incidents by content, place, time and hazard; corroborate them with sensors.

Reposts and near-duplicates (SimHash Hamming distance <= 3 within the time window and radius) are folded into the
incident of the post they copy and only counted, so 500 copies of one post make one incident. Other posts join an
open incident of the same hazard within the window and radius only when they name the same place
(publish.grouping.group_key): a rescue request stays alone, roads group by road and section, floods by town or
river reach.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from kernel.store import incident_rows as rows
from kernel.store.models import CameraImageRow, GaugeReadingRow, IncidentRow, PostRow
from publish.geo import bbox, haversine_km
from publish.grouping import group_key
from publish.simhash import NGRAM, bands, hamming, normalize, simhash, to_signed

log = logging.getLogger(__name__)

MAX_HAMMING: Final = 3
# A post naming the same town, road section, river reach or shelter as an open incident joins it up to this many
# windows after its last post and radii away: a flood in one town that goes quiet for two hours is still the same
# flood, and a post placed at its municipality's centre (津市 is 30 km wide) can still name the town.
SAME_PLACE_REACH: Final = 4
# A rescue request that repeats another near-verbatim ("拡散希望 …", a quote) is a copy even when the prefix
# moves its SimHash further than MAX_HAMMING: this share of the shorter text's 3-grams shared, same places.
COPY_CONTAINMENT: Final = 0.8
# Starting severity (1..5, the warning-level scale) of a single report of each hazard.
BASE_SEVERITY: Final = {"casualty_rescue": 3, "tsunami": 3, "landslide": 3, "fire": 3, "flood": 2,
                        "earthquake": 2, "evacuation_shelter": 2, "road_blocked": 2, "power_water_outage": 2,
                        "other_damage": 1}
TITLE_CHARS: Final = 80
# Hazards that a gauge or a camera can back up.
GAUGE_HAZARDS: Final = ("flood",)
CAMERA_HAZARDS: Final = ("flood", "landslide", "road_blocked")


def top_hazard(categories: list[list[object]] | None) -> str:
    """The best-scoring category name of a post (other_damage when there is none)."""
    pairs = [(str(c[0]), float(c[1])) for c in categories or [] if len(c) >= 2 and c[0] in BASE_SEVERITY]
    return max(pairs, key=lambda p: p[1])[0] if pairs else "other_damage"


def severity(hazard: str, post_count: int, duplicate_count: int = 0) -> int:
    """1..5: the hazard's base, +1 from 3 independent posts, +1 more from 10 (copies count a little)."""
    reach = post_count + duplicate_count // 10
    bump = (reach >= 3) + (reach >= 10)
    return max(1, min(5, BASE_SEVERITY.get(hazard, 1) + bump))


def _live(session: Session, incident: IncidentRow) -> IncidentRow:
    """Follow merges to the incident that now holds the posts."""
    seen = set()
    while incident.merged_into is not None and incident.id not in seen:
        seen.add(incident.id)
        incident = rows.get(session, incident.merged_into, lock=True) or incident
    return incident


def _area(lat: float, lng: float, at: datetime, window: timedelta, radius_km: float) -> dict[str, object]:
    """Bind values of the time window and bounding box around a point."""
    lat0, lat1, lng0, lng1 = bbox(lat, lng, radius_km)
    return {"lat0": lat0, "lat1": lat1, "lng0": lng0, "lng1": lng1, "t0": at - window, "t1": at + window}


@dataclass(frozen=True, slots=True)
class _Attached:
    """A post attached earlier in the same batch, whose row is not written yet."""

    hashed: int
    lat: float
    lng: float
    at: datetime
    incident: IncidentRow
    text: str = ""


@dataclass(slots=True)
class _Batch:
    """What attaching one batch of posts has seen so far: its posts, and the incidents it has locked."""

    attached: list[_Attached] = field(default_factory=list)
    held: dict[int, IncidentRow] = field(default_factory=dict)

    def lock(self, session: Session, incident_id: int) -> IncidentRow | None:
        """The incident, loaded FOR UPDATE once per batch: the lock lasts until the batch commits, and a
        query per copy of a much-copied post cost more than the rest of attaching it."""
        if incident_id not in self.held:
            incident = rows.get(session, incident_id, lock=True)
            if incident is None:
                return None
            self.held[incident_id] = incident
        return self.held[incident_id]


def _duplicate_of(session: Session, post: PostRow, hashed: int, batch: _Batch, window: timedelta,
                  radius_km: float) -> IncidentRow | None:
    """An incident holding a near-copy of the post (copies name the same place, so they lie within radius).

    Looks first among the posts of this batch (not yet written), then in the store.
    """
    area = _area(post.lat or 0.0, post.lng or 0.0, post.observed_at, window, radius_km)
    for seen in reversed(batch.attached):
        if (hamming(seen.hashed, hashed) <= MAX_HAMMING and area["t0"] <= seen.at <= area["t1"]
                and area["lat0"] <= seen.lat <= area["lat1"] and area["lng0"] <= seen.lng <= area["lng1"]):
            return _live(session, seen.incident)
    for other_hash, incident_id in rows.near_copies(session, bands(hashed), post.id, area):
        if hamming(other_hash, hashed) <= MAX_HAMMING:
            incident = batch.lock(session, incident_id)
            if incident is not None:
                return _live(session, incident)
    return None


def _grams(text: str) -> set[str]:
    norm = normalize(text)
    return {norm[i:i + NGRAM] for i in range(max(1, len(norm) - NGRAM + 1))} if norm else set()


def _named(places: list[Any] | None) -> set[str]:
    """The places a text names below the municipality (what makes two similar requests two requests)."""
    return {str(p.get("name")) for p in places or () if p.get("kind") not in ("municipality", "geotag")}


def _rescue_copy_of(session: Session, post: PostRow, batch: _Batch, window: timedelta,
                    radius_km: float) -> IncidentRow | None:
    """The open rescue incident whose post this one repeats (COPY_CONTAINMENT of its 3-grams, same places)."""
    grams = _grams(post.text or "")
    if not grams:
        return None
    nearby = _nearby_open(session, ("casualty_rescue",), post.lat or 0.0, post.lng or 0.0, post.observed_at,
                          window=window, radius_km=radius_km)
    if not nearby:
        return None
    batch.held.update((i.id, i) for i in nearby)
    ids = {i.id: i for i in nearby}
    texts = [(a.text, a.incident.id) for a in batch.attached if a.incident.id in ids]
    named = _named(post.places)
    # The copy names every place the request names (a prefix may add one, e.g. 希望 from 拡散希望 read as a town).
    texts += [(text, incident_id) for text, incident_id, places in rows.post_texts(session, list(ids))
              if _named(places) <= named]
    for text, incident_id in texts:
        other = _grams(text or "")
        if other and len(grams & other) / min(len(grams), len(other)) >= COPY_CONTAINMENT:
            return _live(session, ids[incident_id])
    return None


def _nearby_open(session: Session, hazards: tuple[str, ...], lat: float, lng: float, at: datetime, *,
                 window: timedelta, radius_km: float) -> list[IncidentRow]:
    """Open, unmerged incidents of these hazards within radius and window, nearest first."""
    found = rows.open_nearby(session, hazards, _area(lat, lng, at, window, radius_km))
    near = sorted((haversine_km(lat, lng, i.lat, i.lng), i.id, i) for i in found)
    return [i for d, _, i in near if d <= radius_km]


def _event(session: Session, incident: IncidentRow, action: str, reason: str, at: datetime,
           actor: str = "system") -> None:
    rows.add_event(session, incident.id, at, actor, action, reason)


def _place_name(post: PostRow) -> str:
    first = post.places[0] if post.places else {}
    return str(first.get("name") or post.municipality or "")


def post_key(post: PostRow, hazard: str) -> str | None:
    """The place key of a post (publish.grouping.group_key on its stored places)."""
    return group_key(hazard, post.places, text=post.text or "", post_id=post.id, lat=post.lat, lng=post.lng,
                     municipality=post.municipality)


def attach_posts(session: Session, posts: Iterable[PostRow], *, window: timedelta, radius_km: float,
                 now: datetime) -> list[IncidentRow | None]:
    """Fold, attach or open the incident of each placed disaster post (None for "other" or unplaced posts).

    The posts' rows are written once, at the end of the batch: a flush per post cost more than the look-ups.
    """
    batch = _Batch()
    with session.no_autoflush:
        out = [_attach(session, post, batch, window, radius_km, now) for post in posts]
    session.flush()
    return out


def attach_post(session: Session, post: PostRow, *, window: timedelta, radius_km: float,
                now: datetime) -> IncidentRow | None:
    """attach_posts for a single post."""
    return attach_posts(session, [post], window=window, radius_km=radius_km, now=now)[0]


def _attach(session: Session, post: PostRow, batch: _Batch, window: timedelta, radius_km: float,
            now: datetime) -> IncidentRow | None:
    if post.label != "disaster" or post.lat is None or post.lng is None:
        return None
    if post.incident_id is not None:  # already attached (a replay after a crash): change nothing
        existing = rows.get(session, post.incident_id)
        return _live(session, existing) if existing is not None else None
    hashed = to_signed(simhash(post.text))
    hazard = top_hazard(post.categories)
    key = post_key(post, hazard)
    incident = _duplicate_of(session, post, hashed, batch, window, radius_km)
    if incident is None and hazard == "casualty_rescue":
        incident = _rescue_copy_of(session, post, batch, window, radius_km)
    if incident is not None:
        incident.duplicate_count += 1
    else:
        specific = key is not None and not key.startswith(("muni:", "rescue:"))
        reach = SAME_PLACE_REACH if specific else 1
        nearby = _nearby_open(session, (hazard,), post.lat, post.lng, post.observed_at, window=window * reach,
                              radius_km=radius_km * reach)
        batch.held.update((i.id, i) for i in nearby)  # loaded FOR UPDATE as well
        incident = next((i for i in nearby if i.group_key == key), None)
        if incident is not None:
            n = incident.post_count
            incident.lat = (incident.lat * n + post.lat) / (n + 1)
            incident.lng = (incident.lng * n + post.lng) / (n + 1)
            incident.post_count = n + 1
    post.simhash = hashed
    post.simhash_b0, post.simhash_b1, post.simhash_b2, post.simhash_b3 = bands(hashed)
    if incident is None:
        incident = IncidentRow(
            hazard=hazard, title=(post.text or "")[:TITLE_CHARS], lat=post.lat, lng=post.lng,
            place_name=_place_name(post), municipality=post.municipality,
            municipality_code=post.municipality_code, severity=severity(hazard, 1), status="unverified",
            first_seen=post.observed_at, last_seen=post.observed_at, post_count=1, duplicate_count=0,
            corroborated_by=[], updated_at=now, group_key=key)
        rows.add(session, incident)  # flushed for its id (this also writes the batch so far)
        batch.held[incident.id] = incident
        _event(session, incident, "created", f"post {post.id} ({hazard})", now)
        log.info("incident_created id=%s hazard=%s place=%s", incident.id, hazard, incident.place_name)
    incident.first_seen = min(incident.first_seen, post.observed_at)
    incident.last_seen = max(incident.last_seen, post.observed_at)
    incident.severity = max(incident.severity,
                            severity(incident.hazard, incident.post_count, incident.duplicate_count))
    incident.updated_at = now
    post.incident_id = incident.id
    batch.attached.append(_Attached(hashed, post.lat, post.lng, post.observed_at, incident, post.text or ""))
    return incident


def corroborate(session: Session, observation: GaugeReadingRow | CameraImageRow, *, radius_km: float,
                window: timedelta) -> list[IncidentRow]:
    """Mark open incidents near a gauge at 氾濫注意水位 or above (or a working camera) as corroborated."""
    if isinstance(observation, GaugeReadingRow):
        if observation.warning_level < 2 or observation.stale:
            return []
        tag, hazards = f"gauge:{observation.gauge_id}", GAUGE_HAZARDS
    else:
        if observation.status != "ok":
            return []
        tag, hazards = f"camera:{observation.camera_id}", CAMERA_HAZARDS
    at = observation.observed_at
    touched = []
    for incident in _nearby_open(session, hazards, observation.lat, observation.lng, at, window=window,
                                 radius_km=radius_km):
        if tag in (incident.corroborated_by or []):
            continue
        incident.corroborated_by = [*(incident.corroborated_by or []), tag]
        if isinstance(observation, GaugeReadingRow):
            incident.severity = max(incident.severity, min(5, observation.warning_level))
        incident.updated_at = max(incident.updated_at, at)
        _event(session, incident, "corroborated", f"{tag} ({observation.name})", at)
        touched.append(incident)
    session.flush()
    return touched

