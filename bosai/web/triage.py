"""Operator triage: the queue of unverified incidents, each incident's audit trail, and the confirm / dismiss /
resolve / reopen / merge / split actions.

Confirming is the only path from AI-flagged posts to residents: publish.triage.confirm creates the alert. Undo in
the page: a dismiss is undone by reopen; a confirm waits ``[web] confirm_grace_s`` in the page before it is sent,
and undo within that time sends nothing; after it the alert is out, and only a new official message can correct it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.orm import Session

from bosai.web.keys import CTX
from bosai.web.login import require_operator
from bosai.web.params import bad_request, parse_filters, parse_int
from collectors.river_gauge import configured_thresholds
from kernel.published import Alert, Incident, MapPost
from kernel.store import alerts as stored_alerts
from kernel.store import incidents as stored
from kernel.store import observations
from kernel.store.labels import NotInIncident
from kernel.store.snapshots import incident_record
from publish import triage
from publish.geojson import alert_json, incident_feature, incidents_geojson
from publish.safe_text import for_display

log = logging.getLogger(__name__)

ACTIONS: Final = ("confirm", "dismiss", "resolve", "reopen", "merge", "split")
MAX_REASON: Final = 500
MAX_JUDGED: Final = 50  # posts on one card are a handful
MAX_SPLIT: Final = 500  # posts moved out of one incident
PAGE: Final = 50  # cards per page: enough to work through, few enough to render at once
CARD_POSTS: Final = 5  # posts shown (and judged) on one card


def _post_json(post: MapPost) -> dict[str, Any]:
    return {"id": post.id, "author": for_display(post.author), "text": for_display(post.text),
            "observed_at": post.observed_at.isoformat(),
            "score": post.score, "url": post.url}


def _sensors(session: Session, refs: list[str], thresholds: dict[str, dict[str, float | None]]) -> list[dict[str, Any]]:
    """What corroborates an incident, readable: a gauge's name, reading and level against its thresholds, a
    camera's name and thumbnail, a JMA telegram's title, instead of raw ids like ``gauge:2499000104``."""
    out: list[dict[str, Any]] = []
    for ref in refs:
        kind, _, ident = str(ref).partition(":")
        if kind == "gauge":
            reading = observations.gauge_latest(session, ident)
            out.append({"kind": "gauge", "id": ident, "name": reading.name if reading else ident,
                        "river": reading.river if reading else None,
                        "level_m": reading.level_m if reading else None,
                        "warning_level": reading.warning_level if reading else None,
                        "threshold_name": reading.threshold_name if reading else None,
                        "observed_at": reading.observed_at.isoformat() if reading else None,
                        "thresholds_m": thresholds.get(ident)})
        elif kind == "camera":
            still = observations.camera_latest(session, ident)
            base = f"/cameras/{quote(ident, safe='')}"
            out.append({"kind": "camera", "id": ident, "name": still.name if still else ident,
                        "status": still.status if still else "offline",
                        "observed_at": still.observed_at.isoformat() if still else None,
                        "thumbnail_url": (f"{base}/thumbnail.jpg" if still.thumbnail_path else f"{base}/latest.jpg")
                        if still else None, "image_url": f"{base}/latest.jpg" if still else None})
        elif kind == "jma":
            title = observations.report_title(session, int(ident)) if ident.isdigit() else None
            out.append({"kind": "jma", "id": ident, "name": title or ident})
    return out


def _cards(session: Session, rows: list[Incident], stale: set[int], ctx: Any) -> list[dict[str, Any]]:
    """Incidents as triage cards: the GeoJSON feature plus its newest posts, the AI's confidence, sensor
    support, urgency and staleness."""
    collection = incidents_geojson(rows)
    ids = [r.id for r in rows]
    samples = stored.incident_posts(session, ids, per_incident=CARD_POSTS)
    scores = stored.incident_scores(session, ids)
    thresholds = configured_thresholds(ctx.config.sources)
    for feature, row in zip(collection["features"], rows, strict=True):
        props = feature["properties"]
        props["posts"] = [_post_json(p) for p in samples.get(row.id, [])]
        props["confidence"] = scores.get(row.id)
        props["urgency"] = stored.URGENCY.get(row.hazard, 0)
        props["stale"] = row.id in stale
        props["sensors"] = _sensors(session, list(row.corroborated_by), thresholds)
    return list(collection["features"])


def _stale_before(ctx: Any) -> datetime:
    return ctx.clock() - timedelta(minutes=ctx.config.publish.stale_after_min)


async def queue(request: web.Request) -> web.Response:
    """GET /api/triage: one page of the queue, most severe and urgent first, with how many are not shown.

    Query: the map's ``hazard``, ``municipality`` and ``since`` filters, ``offset`` and ``limit`` to page,
    ``status`` (unverified, default; dismissed, to reopen; open, merge targets) and ``q`` (text or an id).
    """
    require_operator(request)
    ctx = request.app[CTX]
    now = ctx.clock()
    q = request.query
    f = parse_filters(request, now)
    limit = parse_int(q.get("limit"), "limit", PAGE, 1, 200)
    offset = parse_int(q.get("offset"), "offset", 0, 0, 10**6)
    status = q.get("status") or "unverified"
    if status not in stored.QUEUE_STATUSES:
        raise bad_request(f"status: one of {', '.join(stored.QUEUE_STATUSES)}")
    text = (q.get("q") or "").strip()[:64] or None
    stale_before = _stale_before(ctx)

    def build(session: Session) -> dict[str, Any]:
        page = stored.triage_queue(session, replace(f, limit=limit), stale_before,
                                   statuses=stored.QUEUE_STATUSES[status], offset=offset, text=text)
        features = _cards(session, page.rows, page.stale, ctx)
        shown_to = offset + len(features)
        return {"type": "FeatureCollection", "features": features, "total": page.total, "offset": offset,
                "limit": limit, "hidden": max(0, page.total - shown_to),
                "next_offset": shown_to if shown_to < page.total else None,
                "stale_after_min": ctx.config.publish.stale_after_min}

    return web.json_response(await ctx.store.read(build), headers={"Cache-Control": "no-store"})


async def card(request: web.Request) -> web.Response:
    """GET /api/triage/{id}: one card, so a live update patches that card instead of reloading the queue."""
    require_operator(request)
    ctx = request.app[CTX]
    incident_id = int(request.match_info["incident_id"])
    stale_before = _stale_before(ctx)

    def build(session: Session) -> dict[str, Any] | None:
        row = stored.incident(session, incident_id)
        if row is None:
            return None
        return _cards(session, [row], {row.id} if stored.is_stale(row, stale_before) else set(), ctx)[0]

    feature = await ctx.store.read(build)
    if feature is None:
        raise web.HTTPNotFound(text='{"error": "no such incident"}', content_type="application/json")
    return web.json_response(feature, headers={"Cache-Control": "no-store"})


async def events(request: web.Request) -> web.Response:
    """GET /api/triage/{id}/events: the incident's audit trail, oldest first (who did what, when and why)."""
    require_operator(request)
    ctx = request.app[CTX]
    incident_id = int(request.match_info["incident_id"])

    def build(session: Session) -> dict[str, Any] | None:
        row = stored.incident(session, incident_id)
        if row is None:
            return None
        return {"incident": incident_id, "status": row.status, "events": stored.incident_events(session, incident_id)}

    body = await ctx.store.read(build)
    if body is None:
        raise web.HTTPNotFound(text='{"error": "no such incident"}', content_type="application/json")
    return web.json_response(body, headers={"Cache-Control": "no-store"})


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

    def run(session: Session) -> tuple[Incident, Alert | None, Incident | None]:
        split_off = None
        if action == "merge":
            triage.merge(session, incident_id, int(into), operator.username, reason)  # type: ignore[arg-type]
        elif action == "split":
            split_off = incident_record(triage.split(session, incident_id, judged, operator.username, reason))
        elif action in ("confirm", "dismiss"):
            getattr(triage, action)(session, incident_id, operator.username, reason, judged)
        else:
            getattr(triage, action)(session, incident_id, operator.username, reason)
        session.flush()
        incident = stored.incident(session, incident_id)
        assert incident is not None, "the action found the incident"
        alert = stored_alerts.alert(session, f"incident-{incident_id}") if action == "confirm" else None
        return incident, alert, split_off

    try:
        incident, made, split_off = await ctx.store.write(run)
    except triage.IncidentNotFound as err:
        raise web.HTTPNotFound(text='{"error": "no such incident"}', content_type="application/json") from err
    except NotInIncident as err:
        return web.json_response({"error": str(err)}, status=400)
    except ValueError as err:
        log.info("triage_refused incident=%d action=%s error=%s", incident_id, action, err)
        return web.json_response({"error": str(err)}, status=409)
    log.info("triage_done incident=%d action=%s operator=%s", incident_id, action, operator.username)
    feature = incident_feature(incident)
    alert = alert_json(made) if made is not None else None
    ctx.hub.publish("incident", feature)
    if alert is not None:
        ctx.hub.publish("alert", alert)
    if split_off is not None:
        split = incident_feature(split_off)
        ctx.hub.publish("incident", split)
        return web.json_response({"incident": feature, "alert": alert, "split": split})
    return web.json_response({"incident": feature, "alert": alert})


def add_routes(app: web.Application) -> None:
    """Mount the triage endpoints (all need an operator session; POSTs also a CSRF token)."""
    app.router.add_get("/api/triage", queue)
    app.router.add_get(r"/api/triage/{incident_id:\d{1,12}}", card)
    app.router.add_get(r"/api/triage/{incident_id:\d{1,12}}/events", events)
    app.router.add_post(r"/api/triage/{incident_id:\d{1,12}}/{action:confirm|dismiss|resolve|reopen|merge|split}",
                        act)
