"""The aiohttp application of the service: routes, security headers, rate limits, typed state."""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from aiohttp import web

from bosai.context import ServiceContext
from bosai.web import alert_forms, api, evacuations, live, login, maps, ops, pages, public, subscriptions, triage
from bosai.web.auth import Authenticator
from bosai.web.keys import AUTH, CTX, LIVE_CAP, LIVE_TOTAL, MIE, PUBLIC_LIMIT, WEBHOOK_LIMIT
from bosai.web.places import MieData
from bosai.web.proxies import forwarded_client, parse_networks
from bosai.web.ratelimit import ConcurrencyCap
from bosai.web.server import body_deadline
from bosai.web.session_store import Limiter, make_state
from bosai.web.transfer import compress, static_cache
from kernel.logs import get_logger

log = get_logger(__name__)  # paths are written by clients: logged as fields

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
MAX_BODY: Final = 1024 * 1024  # webhooks and forms; larger bodies get 413
RATE_LIMITED: Final = ("/api/", "/cap/", "/feeds/", "/public", "/cameras/", "/live")  # /live: new connections
NOT_RATE_LIMITED: Final = ("/api/triage", "/api/session")  # operators, already authenticated
WEBHOOKS: Final = "/webhook/"  # open to anyone until the source checks the signature: limited per sender


def content_security_policy(tile_url: str) -> str:
    """CSP allowing only this origin, plus the tile server for images."""
    parts = urlsplit(tile_url.replace("{", "").replace("}", ""))
    tiles = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data:{tiles}; connect-src 'self'; font-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def _security_headers(csp: str):  # type: ignore[no-untyped-def]
    async def add(_request: web.Request, response: web.StreamResponse) -> None:
        h = response.headers
        h.setdefault("Content-Security-Policy", csp)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "no-referrer")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")

    return add


def _limiter(request: web.Request) -> Limiter | None:
    """The bucket a request spends from: webhook senders have their own, so they never starve public readers."""
    path = request.path
    if path.startswith(WEBHOOKS):
        return request.app[WEBHOOK_LIMIT]
    if path.startswith(RATE_LIMITED) and not path.startswith(NOT_RATE_LIMITED):
        return request.app[PUBLIC_LIMIT]
    return None


@web.middleware
async def rate_limit(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Token bucket per client address on the public endpoints and webhooks; 429 with Retry-After when spent."""
    limiter = _limiter(request)
    if limiter is not None:
        wait = await limiter.retry_after(request.remote or "?")
        if wait:
            log.warning("rate_limited", remote=request.remote, path=request.path[:200])
            raise web.HTTPTooManyRequests(headers={"Retry-After": str(wait)}, text='{"error": "rate limit"}',
                                          content_type="application/json")
    return await handler(request)


def create_app(ctx: ServiceContext) -> web.Application:
    """Build the web app over an already started store and hub (the caller owns their life-cycle)."""
    trusted = parse_networks(ctx.config.web.trusted_proxies)
    middlewares = [compress, static_cache]  # outermost: they see every handler's response
    middlewares += [forwarded_client(trusted)] if trusted else []
    middlewares += [body_deadline(ctx.config.web.body_timeout_s)]  # slow bodies: before anything reads one
    middlewares += [rate_limit, login.session_middleware, login.csrf_middleware]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[CTX] = ctx
    state = make_state(ctx.config)  # sessions, limits, back-offs: this process's, or Redis's for all processes
    app[AUTH] = auth = Authenticator(ctx.config, ctx.store, state=state)
    app[PUBLIC_LIMIT] = state.limiter("public", ctx.config.web.public_rate_per_min)
    app[WEBHOOK_LIMIT] = state.limiter("webhook", ctx.config.web.webhook_rate_per_min)
    app.on_startup.append(lambda _app: auth.start())
    app.on_cleanup.append(lambda _app: state.close())
    app[LIVE_CAP] = ConcurrencyCap(ctx.config.web.live_streams_per_client)
    app[LIVE_TOTAL] = ConcurrencyCap(ctx.config.web.live_streams_total)
    app[MIE] = MieData(Path(ctx.extra["mie_data_dir"]) if ctx.extra.get("mie_data_dir") else None)
    app.on_response_prepare.append(_security_headers(content_security_policy(ctx.config.web.tile_url)))
    for module in (api, maps, ops, live, login, triage, pages, public, subscriptions, alert_forms, evacuations):
        module.add_routes(app)
    app.router.add_static("/static", STATIC_DIR, follow_symlinks=False, append_version=False)
    return app
