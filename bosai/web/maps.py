"""Map data the service serves itself, so both maps work offline: municipal boundaries and warning areas."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from bosai.web import queries
from bosai.web.keys import CTX
from kernel.store.observations import current_warnings
from publish.boundaries import served
from publish.geojson import warning_areas_geojson

# The boundaries change only with a new release: let browsers and proxies keep them a day, then revalidate.
BOUNDARIES_CACHE: Final = "public, max-age=86400"
GEOJSON: Final = "application/geo+json"


async def boundaries(request: web.Request) -> web.Response:
    """GET /api/boundaries: Mie's 29 municipalities (``code``, ``name``) as GeoJSON, gzip when accepted."""
    data = served()
    headers = {"Cache-Control": BOUNDARIES_CACHE, "ETag": data.etag, "Vary": "Accept-Encoding"}
    if data.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return web.Response(body=data.gzipped, content_type=GEOJSON, charset="utf-8",
                            headers={**headers, "Content-Encoding": "gzip"})
    return web.Response(body=data.body, content_type=GEOJSON, charset="utf-8", headers=headers)


async def warning_areas(request: web.Request) -> web.Response:
    """GET /api/warnings/areas: warnings and evacuation information in force as polygons, by highest level."""
    ctx = request.app[CTX]
    now = ctx.clock()
    warnings, alerts = await ctx.store.read(lambda s: (current_warnings(s), queries.active_alerts(s, now, 1000)))
    body = warning_areas_geojson(warnings, alerts)
    return web.json_response(body, content_type=GEOJSON, headers={"Cache-Control": "no-cache"})


def add_routes(app: web.Application) -> None:
    """Mount the map data endpoints."""
    app.router.add_get("/api/boundaries", boundaries)
    app.router.add_get("/api/warnings/areas", warning_areas)
