"""SQLAlchemy 2.0 typed models: one table per kind of thing the service keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Store datetimes in UTC and always read them back timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base; every datetime column is timezone-aware."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class RawItem(Base):
    """Every item a source delivered, persisted before any processing (idempotent on source + source_id)."""

    __tablename__ = "raw_items"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_raw_items_source"),
        Index("ix_raw_items_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(16))  # post, official, gauge, camera
    received_at: Mapped[datetime]
    observed_at: Mapped[datetime]
    record: Mapped[dict[str, Any]]  # Record.to_json()
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="new")  # new -> classified -> done | failed
    error: Mapped[str | None] = mapped_column(Text, default=None)


class Reject(Base):
    """Bad data from a source, kept with the reason so nothing is lost."""

    __tablename__ = "rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str | None] = mapped_column(String(512))
    received_at: Mapped[datetime]
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class PostRow(Base):
    """A social post with its classification and places."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_observed", "observed_at"), Index("ix_posts_incident", "incident_id"))

    id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(512))
    author: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(Text)
    media_urls: Mapped[list[Any]] = mapped_column(default=list)
    observed_at: Mapped[datetime]
    geo_lat: Mapped[float | None] = mapped_column(Float)
    geo_lng: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    categories: Mapped[list[Any]] = mapped_column(default=list)  # [[name, score], ...]
    places: Mapped[list[Any]] = mapped_column(default=list)  # [Place as dict, ...] best first
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    municipality: Mapped[str | None] = mapped_column(String(64))
    municipality_code: Mapped[str | None] = mapped_column(String(8))
    model_version: Mapped[str | None] = mapped_column(String(64))
    simhash: Mapped[int | None] = mapped_column(BigInteger)  # signed 64-bit
    # The SimHash cut into four 16-bit bands: copies within Hamming distance 3 share at least one band,
    # so near-duplicates are found by an indexed lookup instead of comparing every post in the window.
    simhash_b0: Mapped[int | None] = mapped_column(Integer, index=True)
    simhash_b1: Mapped[int | None] = mapped_column(Integer, index=True)
    simhash_b2: Mapped[int | None] = mapped_column(Integer, index=True)
    simhash_b3: Mapped[int | None] = mapped_column(Integer, index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    classified_at: Mapped[datetime | None]


class OfficialReportRow(Base):
    """A parsed JMA telegram."""

    __tablename__ = "official_reports"

    id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(512))
    title: Mapped[str] = mapped_column(String(256))
    info_kind: Mapped[str] = mapped_column(String(128))
    info_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    report_type: Mapped[str] = mapped_column(String(32))
    report_datetime: Mapped[datetime]
    headline: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list[Any]] = mapped_column(default=list)
    area_codes: Mapped[list[Any]] = mapped_column(default=list)
    level: Mapped[int | None] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(128), default="")
    valid_until: Mapped[datetime | None]


class GaugeReadingRow(Base):
    """One river water-level reading with its level, trend and crossing."""

    __tablename__ = "gauge_readings"
    __table_args__ = (Index("ix_gauge_readings_gauge_time", "gauge_id", "observed_at"),)

    id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"), primary_key=True)
    gauge_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    river: Mapped[str] = mapped_column(String(128))
    observed_at: Mapped[datetime]
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    level_m: Mapped[float | None] = mapped_column(Float)
    warning_level: Mapped[int] = mapped_column(Integer, default=0)
    threshold_name: Mapped[str | None] = mapped_column(String(32))
    trend_m_per_h: Mapped[float | None] = mapped_column(Float)
    crossing: Mapped[str | None] = mapped_column(String(8))
    stale: Mapped[bool] = mapped_column(default=False)


class CameraImageRow(Base):
    """A camera still stored on disk."""

    __tablename__ = "camera_images"
    __table_args__ = (Index("ix_camera_images_camera_time", "camera_id", "observed_at"),)

    id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    observed_at: Mapped[datetime]
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    image_path: Mapped[str] = mapped_column(Text)
    thumbnail_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="ok")


class IncidentRow(Base):
    """Posts and observations grouped by place, time and hazard; reviewed by an operator."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status", "status"), Index("ix_incidents_last_seen", "last_seen"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard: Mapped[str] = mapped_column(String(32))  # a classifier category
    title: Mapped[str] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    place_name: Mapped[str] = mapped_column(String(128))
    municipality: Mapped[str | None] = mapped_column(String(64))
    municipality_code: Mapped[str | None] = mapped_column(String(8))
    severity: Mapped[int] = mapped_column(Integer, default=1)  # 1..5, the warning-level scale
    status: Mapped[str] = mapped_column(String(16), default="unverified")  # unverified/confirmed/dismissed/resolved
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)  # reposts and near-duplicates folded in
    corroborated_by: Mapped[list[Any]] = mapped_column(default=list)  # ["gauge:<id>", "camera:<id>", "jma:<id>"]
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    updated_at: Mapped[datetime]
    # The place the incident is about (publish.grouping): only posts with the same key join it.
    group_key: Mapped[str | None] = mapped_column(String(200))

    events: Mapped[list[IncidentEvent]] = relationship(back_populates="incident", order_by="IncidentEvent.id")


class IncidentEvent(Base):
    """Audit log of an incident: who did what, when and why."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))  # operator name or "system"
    action: Mapped[str] = mapped_column(String(32))  # created, confirmed, dismissed, resolved, merged, reopened
    reason: Mapped[str] = mapped_column(Text, default="")

    incident: Mapped[IncidentRow] = relationship(back_populates="events")


class AlertRow(Base):
    """An alert for residents: relayed from JMA, a gauge crossing, or an operator-confirmed incident."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_sent", "sent"), Index("ix_alerts_family_ended", "family", "ended_at"))

    id: Mapped[str] = mapped_column(String(96), primary_key=True)  # stable, e.g. "jma-<raw id>-<n>"
    source: Mapped[str] = mapped_column(String(16))  # jma, gauge, incident
    ref: Mapped[str] = mapped_column(String(128))  # id of what it came from
    hazard: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(128))  # e.g. 大雨警報, 氾濫危険水位
    level: Mapped[int | None] = mapped_column(Integer)  # 警戒レベル相当
    severity: Mapped[str] = mapped_column(String(16))  # CAP severity
    urgency: Mapped[str] = mapped_column(String(16))
    certainty: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(16), default="Alert")  # Alert / Update / Cancel
    status: Mapped[str] = mapped_column(String(16), default="Actual")  # CAP status
    areas: Mapped[list[Any]] = mapped_column(default=list)  # [{"code", "name", "lat"?, "lng"?}]
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)  # values for the message templates
    sent: Mapped[datetime]
    expires: Mapped[datetime | None]
    references: Mapped[str | None] = mapped_column(String(96))  # the first alert replaced; all in slots
    family: Mapped[str | None] = mapped_column(String(96))  # alerts of one family replace each other per area
    ended_at: Mapped[datetime | None]  # when a later alert replaced or cancelled this one


class Subscription(Base):
    """A resident's subscription to alerts for areas in one language."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # webhook, email
    target: Mapped[str] = mapped_column(Text)  # URL or e-mail address
    language: Mapped[str] = mapped_column(String(16))
    areas: Mapped[list[Any]] = mapped_column(default=list)  # municipality codes; empty = whole prefecture
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)
    unsubscribe_token_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 hex of the token
    # The subscription's own key: signs its webhook posts and the confirm/unsubscribe links in its messages.
    secret: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None]  # None until the owner of the address confirms (double opt-in)


class Delivery(Base):
    """One alert to one subscriber: unique, so a retry never sends twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "subscription_id", name="uq_delivery"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"))
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class Operator(Base):
    """A command-center operator who may triage incidents."""

    __tablename__ = "operators"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
    # The 市町 (5-digit JIS code) whose evacuation information and shelters this operator may change;
    # None for prefecture operators, who may act for every municipality.
    municipality_code: Mapped[str | None] = mapped_column(String(8), default=None)


class EvacuationRow(Base):
    """Municipal evacuation information (高齢者等避難 / 避難指示 / 緊急安全確保) for a municipality or some
    of its towns, from 発令 to 解除: one row per episode, so that a later 発令 after 解除 starts a new one."""

    __tablename__ = "evacuations"
    __table_args__ = (Index("ix_evacuations_municipality_lifted", "municipality_code", "lifted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(8))  # 5-digit JIS, e.g. 24201
    municipality: Mapped[str] = mapped_column(String(64))  # e.g. 津市
    towns: Mapped[list[Any]] = mapped_column(default=list)  # empty: the whole municipality
    level: Mapped[int] = mapped_column(Integer)  # 3, 4 or 5 (kept after 解除: the level that was lifted)
    hazard: Mapped[str] = mapped_column(String(32))  # the reason: flood, landslide, storm_surge ...
    issued_at: Mapped[datetime]  # first 発令
    updated_at: Mapped[datetime]  # the time stated by the last notice applied
    lifted_at: Mapped[datetime | None]  # 解除
    source: Mapped[str] = mapped_column(String(64))  # "operator" or the CAP source's name
    sender: Mapped[str] = mapped_column(String(128))  # operator name or the CAP <sender>
    alert_id: Mapped[str | None] = mapped_column(String(96))  # the resident alert now standing for it


class ShelterStatusRow(Base):
    """Opening status of a designated shelter (shelters themselves are reference data, shelters.csv)."""

    __tablename__ = "shelter_status"

    shelter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))  # open, full, closed
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(128))


class AuditRow(Base):
    """Who changed evacuation information or a shelter's status, when, and the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))  # "operator:<name>" or "cap:<source>"
    action: Mapped[str] = mapped_column(String(32))  # issue, raise, lower, lift, shelter_status
    entity: Mapped[str] = mapped_column(String(32))  # evacuation, shelter
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class PostJudgement(Base):
    """An operator's verdict on one post they read (SPEC §1: decisions feed retraining).

    Only the posts an operator judged are labels: confirming an incident never labels the posts that were
    grouped into it unseen.
    """

    __tablename__ = "post_judgements"
    __table_args__ = (Index("ix_post_judgements_post", "post_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    label: Mapped[str] = mapped_column(String(16))  # disaster / other
    categories: Mapped[list[Any]] = mapped_column(default=list)  # the operator's hazards for a disaster post
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
