"""Evacuation information and shelter status: the public GeoJSON, and the operators' entry.

Operators record 発令 / level changes / 解除 and set shelters open, full or closed. An operator with a
municipality (``operators.municipality_code``) may act for that municipality only; one without (a prefecture
operator, or one configured in the environment) for all 29. Every change is audited (``audit_log``).
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any, Final, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from bosai.web.keys import CTX, MIE
from bosai.web.login import require_operator
from bosai.web.params import TOKYO, parse_int
from kernel.config import format_validation_error
from kernel.records import EvacuationNotice
from kernel.store import evacuations as store

log = logging.getLogger(__name__)

OPERATOR_SOURCE: Final = "operator"
# The reasons an operator picks from (publish.evacuations.HAZARDS), named as municipalities word them.
REASON_LABELS: Final = {"flood": ("洪水", "flood"), "landslide": ("土砂災害", "landslide"),
                        "storm_surge": ("高潮", "storm surge"), "tsunami": ("津波", "tsunami"),
                        "heavy_rain": ("大雨", "heavy rain"), "inland_flooding": ("内水氾濫", "inland flooding"),
                        "earthquake": ("地震", "earthquake"), "fire": ("火災", "fire"), "other": ("その他", "other")}


class EvacuationEntry(BaseModel):
    """What an operator enters: 発令 or a new level (``level``), or 解除 (``action: lift``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality_code: str = Field(pattern=r"^\d{5}$")
    action: Literal["issue", "lift"] = "issue"
    level: Literal[3, 4, 5] | None = None
    towns: list[str] = Field(default_factory=list, max_length=50)
    hazard: str = Field(default="", max_length=32)
    issued: datetime | None = None


class ShelterEntry(BaseModel):
    """A shelter's new status."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["open", "full", "closed"]


def _forbidden(message: str) -> web.HTTPForbidden:
    return web.HTTPForbidden(text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json")


def _bad(message: str) -> web.HTTPBadRequest:
    """A JSON 400; json.dumps, because validation messages quote patterns with backslashes."""
    return web.HTTPBadRequest(text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json")


async def _json_body(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise _bad("expected an application/json body")
    try:
        return await request.json()
    except (ValueError, RecursionError) as err:
        raise _bad("body is not JSON") from err


async def _allowed(request: web.Request, username: str, municipality_code: str) -> None:
    """403 unless the operator may act for this municipality (prefecture operators may act for all)."""
    ctx = request.app[CTX]
    scope = await ctx.store.read(lambda s: store.operator_municipality(s, username))
    if scope is not None and scope != municipality_code:
        log.warning("evacuation_role_refused operator=%s scope=%s wanted=%s", username, scope, municipality_code)
        raise _forbidden(f"operator {username} may act for municipality {scope} only")


async def list_evacuations(request: web.Request) -> web.Response:
    """GET /api/evacuations[?all=1]: evacuation information in force (all=1: lifted ones too) as GeoJSON."""
    from publish.evacuations import evacuations_geojson

    ctx, mie = request.app[CTX], request.app[MIE]
    include_lifted = bool(parse_int(request.query.get("all"), "all", 0, 0, 1))
    episodes = await ctx.store.read(lambda s: store.evacuations(s, include_lifted=include_lifted))
    points = {code: (m.lat, m.lng) for code, m in mie.municipalities().items()}
    return web.json_response(evacuations_geojson(episodes, points), content_type="application/geo+json",
                             headers={"Cache-Control": "no-cache"})


async def record_evacuation(request: web.Request) -> web.Response:
    """POST /api/evacuations (operator, CSRF): 201 with the episode and its alert when something changed,
    200 when the level was already in force, 409 for a 解除 with nothing in force or an older time."""
    from publish import evacuations
    from publish.geojson import alert_json

    operator = require_operator(request)
    ctx = request.app[CTX]
    try:
        entry = EvacuationEntry.model_validate(await _json_body(request))
    except ValidationError as err:
        raise _bad(format_validation_error(err)) from err
    if entry.action == "issue" and entry.level is None:
        raise _bad("level: required to issue (3, 4 or 5)")
    await _allowed(request, operator.username, entry.municipality_code)
    issued = entry.issued or ctx.clock()
    notice = EvacuationNotice(
        source=OPERATOR_SOURCE, source_id=uuid.uuid4().hex, observed_at=issued if issued.tzinfo else
        issued.replace(tzinfo=TOKYO), municipality_code=entry.municipality_code,
        level=None if entry.action == "lift" else entry.level, lifted=entry.action == "lift",
        towns=tuple(entry.towns), hazard=entry.hazard, sender=f"operator:{operator.username}",
    )
    actor = f"operator:{operator.username}"

    try:
        applied = await ctx.store.write(lambda s: evacuations.apply_notice(s, notice, actor=actor))
    except evacuations.NoticeError as err:
        raise _bad(str(err)) from err
    action = applied.action
    feature = evacuations.feature(applied.evacuation) if applied.evacuation is not None else None
    alert = alert_json(applied.alert) if applied.alert is not None and applied.changed else None
    if action in ("nothing_to_lift", "stale"):
        return web.json_response({"action": action, "evacuation": feature,
                                  "error": "nothing in force to lift" if action == "nothing_to_lift"
                                  else "older than the information in force"}, status=409)
    if feature is not None and action != "unchanged":
        ctx.hub.publish("evacuation", feature)
    if alert is not None:
        ctx.hub.publish("alert", alert)
    log.info("evacuation_entry action=%s operator=%s code=%s", action, operator.username, entry.municipality_code)
    return web.json_response({"action": action, "evacuation": feature, "alert": alert},
                             status=200 if action == "unchanged" else 201)


async def set_shelter_status(request: web.Request) -> web.Response:
    """POST /api/shelters/{id}/status (operator, CSRF): body ``{"status": "open" | "full" | "closed"}``."""
    operator = require_operator(request)
    ctx, mie = request.app[CTX], request.app[MIE]
    shelter = mie.shelter(request.match_info["shelter_id"])
    if shelter is None:
        raise web.HTTPNotFound(text='{"error": "no such shelter"}', content_type="application/json")
    try:
        entry = ShelterEntry.model_validate(await _json_body(request))
    except ValidationError as err:
        raise _bad("status: expected open, full or closed") from err
    await _allowed(request, operator.username, shelter.municipality_code)
    at = ctx.clock()
    changed = await ctx.store.write(lambda s: store.set_shelter_status(
        s, shelter_id=shelter.id, municipality_code=shelter.municipality_code, status=entry.status,
        actor=f"operator:{operator.username}", at=at))
    feature = shelter.feature()
    feature["properties"].update(status=entry.status, status_updated=at.isoformat())
    if changed:
        ctx.hub.publish("shelter", feature)
        log.info("shelter_status id=%s status=%s operator=%s", shelter.id, entry.status, operator.username)
    return web.json_response({"changed": changed, "shelter": feature})


async def list_audit(request: web.Request) -> web.Response:
    """GET /api/audit[?limit=N] (operator): the latest changes, newest first, named for people (the shelter's
    and the municipality's names), so the command center can show who changed what without another lookup."""
    require_operator(request)
    ctx, mie = request.app[CTX], request.app[MIE]
    limit = parse_int(request.query.get("limit"), "limit", 20, 1, 200)
    names = {code: m.name for code, m in mie.municipalities().items()}

    def read(session: Session) -> list[dict[str, Any]]:
        out = []
        for row in store.recent_audit(session, limit):
            state = row.after or row.before or {}
            if row.entity == "shelter":
                shelter = mie.shelter(row.entity_id)
                label = f"{shelter.municipality} {shelter.name}" if shelter else row.entity_id
            else:
                label = names.get(str(state.get("municipality_code")), str(state.get("municipality_code") or ""))
                towns = state.get("towns") or []
                label += f" {'、'.join(towns)}" if towns else ""
            out.append({"id": row.id, "at": row.at.isoformat(), "actor": row.actor, "action": row.action,
                        "entity": row.entity, "entity_id": row.entity_id, "label": label,
                        "before": row.before, "after": row.after})
        return out

    entries = await ctx.store.read(read)
    return web.json_response({"entries": entries}, headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    """Mount the evacuation and shelter-status endpoints (GET public but the audit; POSTs need an operator
    and CSRF)."""
    app.router.add_get("/api/evacuations", list_evacuations)
    app.router.add_post("/api/evacuations", record_evacuation)
    app.router.add_post(r"/api/shelters/{shelter_id:[A-Za-z0-9_-]{1,64}}/status", set_shelter_status)
    app.router.add_get("/api/audit", list_audit)
