"""An operator's decision is dated on the process clock: in the demo, the replayed day's, so an incident's
alert does not carry today's date beside the scenario's (issue 18 §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kernel import clock
from kernel.store.models import AlertRow, IncidentEvent
from kernel.store.snapshots import alert_record
from publish import incidents, triage
from publish.messages import render_alert

SCENARIO_NOW = datetime(2026, 9, 12, 10, 30, tzinfo=UTC)  # the publish fixtures' day (T0 + 30 min)


def test_a_confirmed_incident_is_dated_on_the_installed_clock(session, make_post) -> None:
    post = make_post("四日市市で道路が冠水しています")
    incident = incidents.attach_post(session, post, window=timedelta(minutes=90), radius_km=3.0,
                                     now=post.observed_at)
    with clock.using(lambda: SCENARIO_NOW):
        triage.confirm(session, incident.id, "tanaka")
    alert = session.get(AlertRow, f"incident-{incident.id}")
    assert alert.sent == SCENARIO_NOW and alert.slots["time"] == SCENARIO_NOW.isoformat()
    events = session.query(IncidentEvent).filter_by(incident_id=incident.id).all()
    assert [e.at for e in events if e.action == "confirmed"] == [SCENARIO_NOW]
    text = render_alert(alert_record(alert), "pt")
    assert "12 de setembro" in text.description + text.accessible_text
