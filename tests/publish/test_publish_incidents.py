"""Incidents: folding copies, grouping by hazard, radius and time window, corroboration by gauges."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from kernel.store.models import IncidentEvent, IncidentRow, PostRow
from publish.incidents import attach_post, corroborate, severity, top_hazard
from publish.simhash import hamming, normalize, simhash, to_signed

WINDOW = timedelta(minutes=90)
TEXT = "四日市市の海蔵川があふれそう！水位がすごい、近くの道路も冠水してる"


def _attach(session, post):
    return attach_post(session, post, window=WINDOW, radius_km=3.0, now=post.observed_at)


def test_500_copies_make_one_incident(session, make_post) -> None:
    variants = [TEXT, f"RT @kaizo: {TEXT}", f"{TEXT} https://t.co/x1", f"{TEXT} #大雨"]
    for i in range(500):
        _attach(session, make_post(variants[i % 4], minutes=i * 0.1))
    incidents = session.scalars(select(IncidentRow)).all()
    assert len(incidents) == 1
    assert incidents[0].post_count == 1
    assert incidents[0].duplicate_count == 499
    linked = select(func.count()).select_from(PostRow).where(PostRow.incident_id == incidents[0].id)
    assert session.scalar(linked) == 500
    events = session.scalars(select(IncidentEvent)).all()
    assert [(e.action, e.actor) for e in events] == [("created", "system")]


def test_simhash_is_signed_and_tolerates_small_edits() -> None:
    a, b = simhash(TEXT), simhash(TEXT + "!!")
    assert hamming(a, b) <= 3
    assert hamming(a, simhash("津市で停電、信号機も消えています")) > 10
    assert -(2**63) <= to_signed(a) < 2**63 and hamming(to_signed(a), a) == 0
    assert normalize("RT @a: ＡＢＣ　https://x.y/z") == "abc"


def _simhash_by_definition(text: str) -> int:
    """SimHash spelt out bit by bit: each n-gram's 64-bit hash votes +1/-1 on every bit."""
    norm = normalize(text)
    grams = [norm[i : i + 3] for i in range(max(1, len(norm) - 2))] if norm else []
    votes = [0] * 64
    for gram in grams:
        h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            votes[bit] += 1 if (h >> bit) & 1 else -1
    return sum(1 << bit for bit in range(64) if votes[bit] > 0)


def test_simhash_matches_its_definition() -> None:
    for text in (TEXT, "津市で停電", "ab", "", "RT @x: 🌊🌊", "Water is rising in Tsu " * 5):
        assert simhash(text) == _simhash_by_definition(text)


def test_nearby_posts_of_the_same_hazard_group_and_others_do_not(session, make_post) -> None:
    first = _attach(session, make_post("海蔵川の堤防から水があふれてきた", minutes=0))
    # ~1 km away, 30 minutes later, different text: same incident.
    near = _attach(session, make_post("末永町の交差点が冠水して車が動けない", lat=34.974, minutes=30))
    assert near.id == first.id and near.post_count == 2
    # Same place but a fire: separate incident.
    fire = _attach(session, make_post("工場から火が出ている", categories=[["fire", 0.9]], minutes=31))
    assert fire.id != first.id and fire.hazard == "fire"
    # Same hazard 10 km away: separate.
    far = _attach(session, make_post("鈴鹿市で道路が冠水", lat=34.88, lng=136.58, minutes=32))
    assert far.id != first.id
    # Same place but after the time window: separate.
    late = _attach(session, make_post("また海蔵川の水があふれそう", minutes=30 + 91))
    assert late.id != first.id
    assert session.scalar(select(func.count()).select_from(IncidentRow)) == 4


def test_other_and_unplaced_posts_make_no_incident(session, make_post) -> None:
    assert _attach(session, make_post("大雨警報出てるけど小雨", label="other")) is None
    unplaced = make_post("どこかで川があふれてる", lat=None, lng=None)
    assert _attach(session, unplaced) is None
    assert unplaced.incident_id is None
    assert session.scalar(select(func.count()).select_from(IncidentRow)) == 0


def test_severity_grows_with_independent_reports(session, make_post) -> None:
    texts = ["家の前の道が川みたいになってる", "海蔵川が茶色い濁流で橋が見えない", "床下まで水が来た、助けて",
             "近所の田んぼが全部水没", "車が水に浸かって動かない"]
    incident = None
    for i, text in enumerate(texts):
        incident = _attach(session, make_post(text, minutes=i))
    assert incident.post_count == 5
    assert incident.severity == severity("flood", 5) == 3
    assert top_hazard([["road_blocked", 0.5], ["flood", 0.7]]) == "flood"
    assert top_hazard([]) == "other_damage"


def test_gauge_at_caution_level_corroborates_nearby_flood(session, make_post, make_reading) -> None:
    incident = _attach(session, make_post(TEXT))
    fire = _attach(session, make_post("倉庫が燃えている", categories=[["fire", 0.9]]))
    low = make_reading(level=1, crossing=None, minutes=5)
    assert corroborate(session, low, radius_km=3.0, window=WINDOW) == []
    high = make_reading(level=3, crossing="up", threshold="避難判断水位", minutes=10)
    touched = corroborate(session, high, radius_km=3.0, window=WINDOW)
    assert touched == [incident]
    assert incident.corroborated_by == ["gauge:suzuka-takaoka"]
    assert incident.severity >= 3
    assert fire.corroborated_by == []
    # Idempotent: the same gauge is not added twice.
    again = make_reading(level=3, crossing=None, threshold="避難判断水位", minutes=20)
    assert corroborate(session, again, radius_km=3.0, window=WINDOW) == []
    far = make_reading(level=4, crossing="up", gauge_id="far", lat=34.5, lng=136.2, minutes=20)
    assert corroborate(session, far, radius_km=3.0, window=WINDOW) == []
    actions = [e.action for e in session.scalars(select(IncidentEvent).where(
        IncidentEvent.incident_id == incident.id))]
    assert actions == ["created", "corroborated"]


def test_replaying_a_post_changes_nothing(session, make_post) -> None:
    post = make_post(TEXT)
    first = _attach(session, post)
    again = _attach(session, post)
    assert again is first and first.post_count == 1 and first.duplicate_count == 0
