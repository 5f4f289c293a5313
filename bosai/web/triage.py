"""Operator triage: the queue of unverified incidents and the confirm / dismiss / resolve / merge / split actions.

Confirming is the only path from AI-flagged posts to residents: publish.triage.confirm creates the alert.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from aiohttp import web
from sqlalchemy.orm import Session

from bosai.store.labels import NotInIncident
from bosai.store.models import AlertRow, Incident
from bosai.web import queries
from bosai.web.keys import CTX
from bosai.web.login import require_operator

log = logging.getLogger(__name__)

ACTIONS: Final = ("confirm", "dismiss", "resolve", "merge", "split")
MAX_REASON: Final = 500
MAX_JUDGED: Final = 50  # posts on one card are a handful
MAX_SPLIT: Final = 500  # posts moved out of one incident


def _post_json(post: Any) -> dict[str, Any]:
    return {"id": post.id, "author": post.author, "text": post.text, "observed_at": post.observed_at.isoformat(),
            "score": post.score, "url": post.url}


async def queue(request: web.Request) -> web.Response:
    """GET /api/triage: unverified incidents, most recent first, each with a few of its posts."""
    from publish.geojson import incidents_geojson

    require_operator(request)
    ctx = request.app[CTX]

    def build(session: Session) -> dict[str, Any]:
        rows = queries.incidents(session, queries.Filters(limit=200), ("unverified",))
        collection = incidents_geojson(rows)
        samples = queries.incident_posts(session, [r.id for r in rows])
        for feature, row in zip(collection["features"], rows, strict=True):
            feature["properties"]["posts"] = [_post_json(p) for p in samples.get(row.id, [])]
        return collection

    return web.json_response(await ctx.store.read(build), headers={"Cache-Control": "no-store"})


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json" or not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except (ValueError, RecursionError) as err:  # RecursionError: nested too deep
        raise web.HTTPBadRequest(text='{"error": "body is not JSON"}', content_type="application/json") from err
    return data if isinstance(data, dict) else {}


def _judged_posts(body: dict[str, Any], action: str) -> list[int]:
    """The ``posts`` of a body, or 400: for confirm and dismiss the judged posts (a short list), for split the
    posts to move (required); other actions take none."""
    judged = body.get("posts") or []
    limit = MAX_SPLIT if action == "split" else MAX_JUDGED
    ids_ok = isinstance(judged, list) and len(judged) <= limit and all(
        type(i) is int and 0 < i < 10**12 for i in judged)
    if action == "split" and not (ids_ok and judged):
        raise web.HTTPBadRequest(text='{"error": "split needs \\"posts\\": the ids of the posts to move"}',
                                 content_type="application/json")
    if not ids_ok or (judged and action not in ("confirm", "dismiss", "split")):
        raise web.HTTPBadRequest(text='{"error": "posts: a list of judged post ids, for confirm or dismiss only"}',
                                 content_type="application/json")
    return judged


async def act(request: web.Request) -> web.Response:
    """POST /api/triage/{id}/{action}: body ``{"reason"?, "into"?, "posts"?}``.

    ``into``: the incident to merge into; ``posts``: for confirm and dismiss, the ids of the posts the operator
    read on the card and vouched for, the only posts that become training labels; for split, the posts to move
    into a new incident (the answer then has it as ``split``).
    """
    from publish import triage
    from publish.geojson import alert_json, incidents_geojson

    operator = require_operator(request)
    ctx = request.app[CTX]
    action = request.match_info["action"]
    incident_id = int(request.match_info["incident_id"])
    body = await _body(request)
    reason = str(body.get("reason") or "")[:MAX_REASON]
    into = body.get("into")
    if action == "merge" and not (isinstance(into, int | str) and re.fullmatch(r"\d{1,12}", str(into), re.ASCII)):
        raise web.HTTPBadRequest(text='{"error": "merge needs \\"into\\": incident id"}',
                                 content_type="application/json")
    judged = _judged_posts(body, action)

    split_off: list[dict[str, Any]] = []

    def run(session: Session) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if action == "merge":
            triage.merge(session, incident_id, int(into), operator.username, reason)  # type: ignore[arg-type]
        elif action == "split":
            new = triage.split(session, incident_id, judged, operator.username, reason)
            split_off[:] = incidents_geojson([new])["features"]
        elif action in ("confirm", "dismiss"):
            getattr(triage, action)(session, incident_id, operator.username, reason, judged)
        else:
            getattr(triage, action)(session, incident_id, operator.username, reason)
        session.flush()
        incident = session.get(Incident, incident_id)
        feature = incidents_geojson([incident])["features"][0]
        alert = session.get(AlertRow, f"incident-{incident_id}") if action == "confirm" else None
        return feature, (alert_json(alert) if alert is not None else None)

    try:
        feature, alert = await ctx.store.write(run)
    except triage.IncidentNotFound as err:
        raise web.HTTPNotFound(text='{"error": "no such incident"}', content_type="application/json") from err
    except NotInIncident as err:
        return web.json_response({"error": str(err)}, status=400)
    except ValueError as err:
        log.info("triage_refused incident=%d action=%s error=%s", incident_id, action, err)
        return web.json_response({"error": str(err)}, status=409)
    log.info("triage_done incident=%d action=%s operator=%s", incident_id, action, operator.username)
    ctx.hub.publish("incident", feature)
    if alert is not None:
        ctx.hub.publish("alert", alert)
    if split_off:
        ctx.hub.publish("incident", split_off[0])
        return web.json_response({"incident": feature, "alert": alert, "split": split_off[0]})
    return web.json_response({"incident": feature, "alert": alert})


def add_routes(app: web.Application) -> None:
    """Mount the triage endpoints (all need an operator session; POSTs also a CSRF token)."""
    app.router.add_get("/api/triage", queue)
    app.router.add_post(r"/api/triage/{incident_id:\d{1,12}}/{action:confirm|dismiss|resolve|merge|split}", act)
