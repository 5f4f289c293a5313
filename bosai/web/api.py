"""Data endpoints: alerts (JSON, CAP 1.2, Atom per language) and the map layers as GeoJSON."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlsplit

from aiohttp import web

from bosai.context import ServiceContext
from bosai.web import queries
from bosai.web.keys import AUTH, CTX, MIE
from bosai.web.login import require_operator
from bosai.web.params import parse_filters, parse_int, parse_point, parse_text, parse_word
from kernel.records import CameraImage
from kernel.store import alerts as stored_alerts
from kernel.store import incidents as stored_incidents
from kernel.store import observations

log = logging.getLogger(__name__)

NO_CACHE: Final = {"Cache-Control": "no-cache"}
PRIVATE: Final = {"Cache-Control": "private, no-store", "Vary": "Cookie"}  # operator data: no shared cache keeps it
BY_SESSION: Final = {**NO_CACHE, "Vary": "Cookie"}  # the public and operators get different bodies
IMAGE_TYPES: Final = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _json(data: Any) -> web.Response:
    return web.json_response(data, headers=NO_CACHE)


def _geojson(data: Any, headers: dict[str, str] = NO_CACHE) -> web.Response:
    return web.json_response(data, content_type="application/geo+json", headers=headers)


def languages(ctx: ServiceContext) -> tuple[str, ...]:
    """The languages this service publishes in (the nine of SPEC §6 unless configured fewer)."""
    from publish.messages import LANGUAGES

    return tuple(lang for lang in ctx.config.publish.languages if lang in LANGUAGES) or tuple(LANGUAGES)


async def alerts(request: web.Request) -> web.Response:
    """GET /api/alerts[?active=1]: the archive newest first, or (active=1) what is in force, highest level first."""
    from publish.geojson import alert_json

    ctx = request.app[CTX]
    area = parse_word(request.query.get("area"), "area")
    limit = parse_int(request.query.get("limit"), "limit", 200, 1, 1000)
    active = parse_int(request.query.get("active"), "active", 0, 0, 1)
    now = ctx.clock()
    rows = await ctx.store.read(
        lambda s: queries.active_alerts(s, now, limit, area) if active else queries.alerts(s, limit, area))
    return _json([alert_json(a) for a in rows])


async def cap(request: web.Request) -> web.Response:
    """GET /cap/{id}.xml: the alert as CAP 1.2 with one <info> per language."""
    from publish.cap import render_cap

    ctx = request.app[CTX]
    alert_id = request.match_info["alert_id"]
    base_url = ctx.config.publish.base_url
    sender = f"bosai-watch@{urlsplit(base_url).hostname or 'localhost'}"
    langs = list(languages(ctx))

    alert = await ctx.store.read(lambda s: stored_alerts.alert(s, alert_id))
    if alert is None:
        raise web.HTTPNotFound(text='{"error": "no such alert"}', content_type="application/json")
    body = render_cap(alert, languages=langs, sender=sender, base_url=base_url)
    return web.Response(body=body, content_type="application/cap+xml", charset="utf-8", headers=NO_CACHE)


async def feed(request: web.Request) -> web.Response:
    """GET /feeds/{lang}.atom[?area=code]: the alerts in force as an Atom feed in one language."""
    from publish.atom import render_atom

    ctx = request.app[CTX]
    lang = request.match_info["lang"]
    if lang not in languages(ctx):
        raise web.HTTPNotFound(text='{"error": "no feed in this language"}', content_type="application/json")
    area = parse_word(request.query.get("area"), "area")
    base_url = ctx.config.publish.base_url
    now = ctx.clock()
    alerts = await ctx.store.read(lambda s: queries.active_alerts(s, now, 100, area))
    body = render_atom(alerts, lang=lang, base_url=base_url, area=area)
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8", headers=NO_CACHE)


async def incidents(request: web.Request) -> web.Response:
    """GET /api/incidents: GeoJSON of incidents (filters hazard, municipality, since, status).

    Operators see every incident; the public only those an operator confirmed (``status=resolved`` adds the
    resolved ones), each without its post-derived title, so no post text or author handle leaves.
    """
    from publish.geojson import incidents_geojson

    ctx = request.app[CTX]
    f = parse_filters(request, ctx.clock())
    statuses = tuple(s for s in (request.query.get("status") or "").split(",") if s)
    for s in statuses:
        parse_word(s, "status")
    if request.app[AUTH].session_of(request) is not None:
        return _geojson(incidents_geojson(await ctx.store.read(lambda s: stored_incidents.incidents(s, f, statuses))),
                        PRIVATE)
    shown = queries.public_statuses(statuses)
    collection = incidents_geojson(await ctx.store.read(lambda s: stored_incidents.incidents(s, f, shown)))
    features = [queries.public_incident_feature(x) for x in collection["features"]]
    return _geojson({"type": "FeatureCollection", "features": [x for x in features if x is not None]}, BY_SESSION)


async def posts(request: web.Request) -> web.Response:
    """GET /api/posts: GeoJSON of AI-flagged posts (filters hazard, municipality, since), for operators only:
    unverified posts and their authors never reach the public (401 without a session)."""
    from publish.geojson import posts_geojson

    require_operator(request)
    ctx = request.app[CTX]
    f = parse_filters(request, ctx.clock())
    return _geojson(posts_geojson(await ctx.store.read(lambda s: stored_incidents.flagged_posts(s, f))), PRIVATE)


async def gauges(request: web.Request) -> web.Response:
    """GET /api/gauges: the newest reading of every river gauge."""
    from collectors.river_gauge import configured_thresholds
    from publish.geojson import gauges_geojson

    ctx = request.app[CTX]
    collection = gauges_geojson(await ctx.store.read(observations.latest_gauges))
    thresholds = configured_thresholds(ctx.config.sources)
    for feature in collection["features"]:  # the popup shows the reading against them (issue 19 §2)
        feature["properties"]["thresholds_m"] = thresholds.get(feature["properties"]["gauge_id"])
    return _geojson(collection)


def camera_feature(row: CameraImage) -> dict[str, Any]:
    """GeoJSON Feature of a camera with links to its latest still and thumbnail."""
    base = f"/cameras/{quote(row.camera_id, safe='')}"
    props = {"camera_id": row.camera_id, "name": row.name, "status": row.status,
             "observed_at": row.observed_at.isoformat(), "image_url": f"{base}/latest.jpg",
             "thumbnail_url": f"{base}/thumbnail.jpg" if row.thumbnail_path else f"{base}/latest.jpg"}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [row.lng, row.lat]}, "properties": props}


async def cameras(request: web.Request) -> web.Response:
    """GET /api/cameras: river and road cameras with their newest still."""
    ctx = request.app[CTX]
    rows = await ctx.store.read(observations.latest_cameras)
    return _geojson({"type": "FeatureCollection", "features": [camera_feature(r) for r in rows]})


def safe_image_path(stored: str | None, root: Path) -> Path | None:
    """The stored image path if it is a regular image file inside ``root`` (no traversal, no links out)."""
    if not stored:
        return None
    path = Path(stored)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        resolved, base = path.resolve(strict=True), root.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(base) or not resolved.is_file() or resolved.suffix.lower() not in IMAGE_TYPES:
        return None
    return resolved


async def camera_image(request: web.Request) -> web.StreamResponse:
    """GET /cameras/{id}/latest.jpg and /thumbnail.jpg, served from the data folder only."""
    ctx = request.app[CTX]
    camera_id = request.match_info["camera_id"]
    row = await ctx.store.read(lambda s: observations.camera_latest(s, camera_id))
    if row is None:
        raise web.HTTPNotFound()
    wanted = row.thumbnail_path if request.match_info["which"] == "thumbnail" and row.thumbnail_path else row.image_path
    path = safe_image_path(wanted, Path(ctx.config.service.data_dir))
    if path is None:
        log.warning("camera_image_refused camera=%s path=%s", camera_id, wanted)
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": IMAGE_TYPES[path.suffix.lower()],
                                           "Cache-Control": "max-age=60"})


async def warnings(request: web.Request) -> web.Response:
    """GET /api/warnings: JMA warnings in force per area, with the area's point and level colour."""
    from publish.colors import level_color

    ctx, mie = request.app[CTX], request.app[MIE]
    areas = await ctx.store.read(observations.current_warnings)
    for area in areas:
        place = mie.municipality(area["area_code"])
        area["lat"], area["lng"] = (place.lat, place.lng) if place else (None, None)
        area["color"] = level_color(area["level"])
    return _json(areas)


async def shelters(request: web.Request) -> web.Response:
    """GET /api/shelters: designated shelters with their status (open, full, closed) and the hazards each is
    designated for (filters municipality, hazard, q (text in the name or address), near=lat,lng, limit;
    open=1: only the opened ones, which are open or full)."""
    from kernel.store.evacuations import OPENED, shelter_statuses

    ctx, mie = request.app[CTX], request.app[MIE]
    q = request.query
    opened = parse_int(q.get("open"), "open", 0, 0, 1)
    statuses = await ctx.store.read(
        lambda s: {k: (r.status, r.updated_at.isoformat()) for k, r in shelter_statuses(s).items()})
    only = frozenset(k for k, (status, _at) in statuses.items() if status in OPENED) if opened else None
    found = mie.find_shelters(municipality=parse_word(q.get("municipality"), "municipality"),
                              hazard=parse_word(q.get("hazard"), "hazard"), near=parse_point(q.get("near")),
                              limit=parse_int(q.get("limit"), "limit", 500, 1, 5000), only=only,
                              text=parse_text(q.get("q"), "q"))
    features = []
    for shelter in found:
        feature = shelter.feature()
        status, updated = statuses.get(shelter.id, ("closed", None))
        feature["properties"].update(status=status, status_updated=updated)
        features.append(feature)
    return _geojson({"type": "FeatureCollection", "features": features})


def add_routes(app: web.Application) -> None:
    """Mount the data endpoints."""
    r = app.router
    r.add_get("/api/alerts", alerts)
    r.add_get("/cap/{alert_id}.xml", cap)
    r.add_get("/feeds/{lang}.atom", feed)
    r.add_get("/api/incidents", incidents)
    r.add_get("/api/posts", posts)
    r.add_get("/api/gauges", gauges)
    r.add_get("/api/cameras", cameras)
    r.add_get("/cameras/{camera_id}/{which:latest|thumbnail}.jpg", camera_image)
    r.add_get("/api/warnings", warnings)
    r.add_get("/api/shelters", shelters)
