"""Endpoints for the people who run the service: /livez, /readyz, /healthz, /metrics, and the source webhooks.

An orchestrator restarts a process whose liveness probe fails and stops routing to one whose readiness
probe fails, so neither may depend on the upstream sources: during a JMA outage a restart fixes nothing
and the service still has the rest to serve. Source states are reported by /healthz, which always
answers 200 and says what is wrong in its body (for dashboards and alerting, not for probes).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from aiohttp import web
from sqlalchemy import text

from bosai.context import ServiceContext
from bosai.web.keys import CTX
from kernel.store.migrate import pending

log = logging.getLogger(__name__)

FAILING_STATES: Final = frozenset({"failing", "error", "down", "open_circuit", "degraded"})
PROMETHEUS_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
NO_STORE: Final = {"Cache-Control": "no-store"}


async def _database(ctx: ServiceContext) -> dict[str, Any]:
    """Whether the database answers and the store's writer thread runs."""
    try:
        await ctx.store.read(lambda s: s.execute(text("SELECT 1")).scalar_one())
    except Exception as err:  # any driver error means the store is not usable
        log.warning("health_db_failed error=%s", type(err).__name__)
        return {"ok": False, "error": type(err).__name__}
    if not ctx.store.writer_alive:
        return {"ok": False, "error": "store writer stopped"}
    return {"ok": True}


async def livez(request: web.Request) -> web.Response:
    """Liveness: the process answers and its database works; 503 otherwise (a restart may help)."""
    db = await _database(request.app[CTX])
    return web.json_response({"status": "ok" if db["ok"] else "down", "db": db}, status=200 if db["ok"] else 503,
                             headers=NO_STORE)


async def readyz(request: web.Request) -> web.Response:
    """Readiness: database up, migrations applied, this process's workers and collectors running.

    Upstream sources are left out on purpose: a failing source is information (/healthz), not a reason to
    take the service out of rotation.
    """
    ctx = request.app[CTX]
    checks: dict[str, Any] = {"db": await _database(ctx)}
    if checks["db"]["ok"]:
        try:
            missing = await ctx.store.read(lambda s: pending(s.connection()))
            checks["migrations"] = {"ok": not missing, **({"pending": missing} if missing else {})}
        except Exception as err:  # no alembic_version table yet, or the read failed
            checks["migrations"] = {"ok": False, "error": type(err).__name__}
    for name, ok in ctx.readiness().items():
        checks[name] = {"ok": bool(ok)}
    ready = all(c["ok"] for c in checks.values())
    return web.json_response({"status": "ready" if ready else "not_ready", "checks": checks},
                             status=200 if ready else 503, headers=NO_STORE)


async def healthz(request: web.Request) -> web.Response:
    """Per-source state, database and queue depths, always 200: the body's ``status`` says ok, degraded
    (some sources failing) or down (database unusable, or every source failing)."""
    ctx = request.app[CTX]
    db = await _database(ctx)
    sources = ctx.health()
    failing = sorted(name for name, s in sources.items() if str(s.get("state")) in FAILING_STATES)
    all_down = bool(sources) and len(failing) == len(sources)
    status = "down" if not db["ok"] or all_down else ("degraded" if failing else "ok")
    body = {"status": status, "db": db, "sources": sources, "failing_sources": failing,
            "queues": ctx.queue_depths(), "live_subscribers": ctx.hub.subscribers, "time": ctx.clock().isoformat()}
    return web.json_response(body, headers=NO_STORE, dumps=_dumps)


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
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/webhook/{source}", webhook)
