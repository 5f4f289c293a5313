"""Triage: lifecycle transitions with an audit trail; only confirmed incidents reach residents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kernel.store.models import AlertRow, IncidentEvent, PostRow
from publish import triage
from publish.incidents import attach_post

WINDOW = timedelta(minutes=90)


@pytest.fixture
def incident(session, make_post):
    return attach_post(session, make_post("海蔵川があふれて道路が冠水 <b>至急</b>"), window=WINDOW,
                       radius_km=3.0, now=make_post("dummy", label="other").observed_at)


def _alerts(session) -> int:
    return session.scalar(select(func.count()).select_from(AlertRow))


def _audit(session, incident_id: int) -> list[tuple[str, str, str]]:
    rows = session.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
                           .order_by(IncidentEvent.id))
    return [(e.action, e.actor, e.reason) for e in rows]


def test_flagged_incident_makes_no_alert_until_confirmed(session, incident) -> None:
    assert incident.status == "unverified"
    assert _alerts(session) == 0
    confirmed = triage.confirm(session, incident.id, "tanaka", "河川カメラで確認")
    assert confirmed.status == "confirmed"
    alert = session.get(AlertRow, f"incident-{incident.id}")
    assert alert is not None and alert.source == "incident" and alert.slots["confirmed_by"] == "tanaka"
    assert _audit(session, incident.id)[-1] == ("confirmed", "tanaka", "河川カメラで確認")
    resolved = triage.resolve(session, incident.id, "suzuki", "水が引いた")
    assert resolved.status == "resolved"
    assert [a for a, _, _ in _audit(session, incident.id)] == ["created", "confirmed", "resolved"]
    assert _alerts(session) == 1


def test_dismissed_incident_never_alerts_and_can_be_reopened(session, incident) -> None:
    triage.dismiss(session, incident.id, "sato", "ゲームの話")
    assert _alerts(session) == 0
    with pytest.raises(ValueError, match="dismissed; cannot go to confirmed"):
        triage.confirm(session, incident.id, "sato")
    with pytest.raises(ValueError, match="cannot go to resolved"):
        triage.resolve(session, incident.id, "sato")
    triage.reopen(session, incident.id, "sato", "再確認")
    assert incident.status == "unverified"
    assert [a for a, _, _ in _audit(session, incident.id)] == ["created", "dismissed", "reopened"]


@pytest.mark.parametrize("actor", ["", "  ", "system"])
def test_operator_name_is_required(session, incident, actor) -> None:
    with pytest.raises(ValueError, match="operator name"):
        triage.confirm(session, incident.id, actor)
    assert incident.status == "unverified"


def test_unknown_incident_is_a_clear_error(session) -> None:
    with pytest.raises(triage.IncidentNotFound, match="incident 999 does not exist"):
        triage.dismiss(session, 999, "sato")


def test_merge_moves_posts_and_counts(session, make_post, incident) -> None:
    other = attach_post(session, make_post("鈴鹿市で道路冠水", lat=34.88, lng=136.58), window=WINDOW,
                        radius_km=3.0, now=incident.updated_at)
    kept = triage.merge(session, other.id, incident.id, "tanaka", "同じ浸水")
    assert kept.id == incident.id and kept.post_count == 2
    assert other.status == "merged" and other.merged_into == incident.id
    assert session.scalar(select(func.count()).select_from(PostRow).where(PostRow.incident_id == incident.id)) == 2
    assert _audit(session, incident.id)[-1][0] == "merged"
    with pytest.raises(ValueError, match="into itself"):
        triage.merge(session, incident.id, incident.id, "tanaka")
    with pytest.raises(ValueError, match="merge only into an open incident"):
        triage.merge(session, incident.id, other.id, "tanaka")


def _three_posts(session, make_post):
    """One incident of three posts (two places joined by mistake); returns it and its posts in order."""
    posts = [make_post(t, minutes=m) for t, m in (("海蔵川があふれて道路が冠水", 0), ("末永町で床下浸水", 5),
                                                     ("海蔵川の堤防から水", 10))]
    incident = attach_post(session, posts[0], window=WINDOW, radius_km=3.0, now=posts[0].observed_at)
    for p in posts[1:]:
        assert attach_post(session, p, window=WINDOW, radius_km=3.0, now=p.observed_at).id == incident.id
    return incident, posts


def test_split_moves_chosen_posts_into_a_new_audited_incident(session, make_post) -> None:
    incident, posts = _three_posts(session, make_post)
    triage.confirm(session, incident.id, "tanaka")
    new = triage.split(session, incident.id, [posts[1].id], "sato", "末永町は別の場所")
    assert new.id != incident.id and new.status == "unverified" and new.hazard == incident.hazard
    assert (new.post_count, incident.post_count) == (1, 2)
    assert new.first_seen == posts[1].observed_at and incident.last_seen == posts[2].observed_at
    owners = dict(session.execute(select(PostRow.id, PostRow.incident_id).where(
        PostRow.id.in_([p.id for p in posts]))).all())
    assert owners == {posts[0].id: incident.id, posts[1].id: new.id, posts[2].id: incident.id}
    assert _audit(session, incident.id)[-1] == ("split", "sato", f"posts {posts[1].id} moved to incident {new.id}: "
                                                                 "末永町は別の場所")
    assert _audit(session, new.id) == [("split", "sato", f"split from incident {incident.id} (posts {posts[1].id}): "
                                                         "末永町は別の場所")]
    assert incident.status == "confirmed" and new.group_key and new.group_key != incident.group_key


def test_split_refuses_what_is_not_a_split(session, make_post) -> None:
    from kernel.store.labels import NotInIncident

    incident, posts = _three_posts(session, make_post)
    stranger = make_post("別件", minutes=1)
    with pytest.raises(ValueError, match="without posts"):
        triage.split(session, incident.id, [p.id for p in posts], "sato")
    with pytest.raises(NotInIncident):
        triage.split(session, incident.id, [stranger.id], "sato")
    with pytest.raises(ValueError, match="1 to"):
        triage.split(session, incident.id, [], "sato")
    with pytest.raises(ValueError, match="operator name"):
        triage.split(session, incident.id, [posts[0].id], "system")
    triage.dismiss(session, incident.id, "sato")
    with pytest.raises(ValueError, match="split only an open incident"):
        triage.split(session, incident.id, [posts[0].id], "sato")
    with pytest.raises(triage.IncidentNotFound):
        triage.split(session, 9999, [posts[0].id], "sato")
