"""Endpoints for the people who run the service: /healthz, /metrics, and the source webhooks."""

from __future__ import annotations

import logging
from typing import Any, Final

from aiohttp import web
from sqlalchemy import text

from bosai.web.keys import CTX

log = logging.getLogger(__name__)

FAILING_STATES: Final = frozenset({"failing", "error", "down", "open_circuit", "degraded"})
PROMETHEUS_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: web.Request) -> web.Response:
    """Per-source state, database and queue depths; 503 when the database is unreachable or every source fails.

    One failing source is "degraded" but still 200: the service goes on serving the others.
    """
    ctx = request.app[CTX]
    try:
        await ctx.store.read(lambda s: s.execute(text("SELECT 1")).scalar_one())
        db: dict[str, Any] = {"ok": True}
    except Exception as err:  # any driver error means the store is not usable
        log.warning("healthz_db_failed error=%s", err)
        db = {"ok": False, "error": type(err).__name__}
    sources = ctx.health()
    failing = sorted(name for name, s in sources.items() if str(s.get("state")) in FAILING_STATES)
    all_down = bool(sources) and len(failing) == len(sources)
    healthy = db["ok"] and not all_down
    status = "ok" if healthy and not failing else ("degraded" if healthy else "down")
    body = {"status": status, "db": db, "sources": sources, "failing_sources": failing,
            "queues": ctx.queue_depths(), "live_subscribers": ctx.hub.subscribers, "time": ctx.clock().isoformat()}
    return web.json_response(body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"},
                             dumps=_dumps)


def _dumps(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, default=str)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition; queue depths are sampled at scrape time."""
    ctx = request.app[CTX]
    for stage, depth in ctx.queue_depths().items():
        ctx.metrics.queue_depth.labels(stage=stage).set(depth)
    resp = web.Response(body=ctx.metrics.render())
    resp.headers["Content-Type"] = PROMETHEUS_TYPE
    return resp


async def webhook(request: web.Request) -> web.StreamResponse:
    """POST /webhook/{source}: handed to the source's own handler, which checks the signature."""
    ctx = request.app[CTX]
    handler = ctx.webhook_handlers.get(request.match_info["source"])
    if handler is None:
        raise web.HTTPNotFound(text='{"error": "no such webhook"}', content_type="application/json")
    return await handler(request)


def add_routes(app: web.Application) -> None:
    """Mount the operations endpoints."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/webhook/{source}", webhook)
