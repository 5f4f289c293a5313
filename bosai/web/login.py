"""Login/logout handlers, the operator guard, the session lookup before every handler, and the CSRF check on
every POST."""

from __future__ import annotations

import json
from typing import Final

from aiohttp import web

from bosai.web.auth import CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_S, OperatorSession, set_cookie
from bosai.web.keys import AUTH, CTX
from bosai.web.render import html_response, render
from bosai.web.session_store import StateUnavailable
from kernel.logs import get_logger

log = get_logger(__name__)  # fields, not text: usernames and paths come from clients

# POSTs authenticated by their own signature (HMAC webhooks from other systems) carry no CSRF token.
# Signed webhooks and the residents' subscription API use no cookie, so a forged cross-site request gains nothing.
CSRF_EXEMPT_PREFIXES: Final = ("/webhook/", "/api/subscriptions")
MAX_FORM_BYTES: Final = 16 * 1024
UNAVAILABLE_RETRY_S: Final = 5
_UNAVAILABLE_TEXT: Final = '{"error": "sessions are unavailable (shared state unreachable); retry shortly"}'


def _unavailable() -> web.HTTPServiceUnavailable:
    return web.HTTPServiceUnavailable(headers={"Retry-After": str(UNAVAILABLE_RETRY_S)}, text=_UNAVAILABLE_TEXT,
                                      content_type="application/json")


def _known_session(request: web.Request) -> OperatorSession | None:
    """The request's session (None: no session); 503 when it could not be looked up."""
    auth = request.app[AUTH]
    sess = auth.session_of(request)
    if sess is None and auth.unavailable(request):
        raise _unavailable()  # the session may well be on: say so rather than ask for a login or end it here
    return sess


def require_operator(request: web.Request) -> OperatorSession:
    """The logged-in operator, or 401 (JSON) for anyone else."""
    sess = _known_session(request)
    if sess is None:
        raise web.HTTPUnauthorized(text='{"error": "operator login required"}', content_type="application/json")
    return sess


@web.middleware
async def session_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Look up the request's operator session; 503 when the shared session state (Redis) is unreachable for
    something that needs it (a login, a logout, an operator action): never a guess from this process alone."""
    await request.app[AUTH].resolve(request)
    try:
        return await handler(request)
    except StateUnavailable:  # logged by the state when Redis goes away (and when it is back)
        raise _unavailable() from None


@web.middleware
async def csrf_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Refuse (403) any state-changing request whose CSRF token is missing or wrong."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith(CSRF_EXEMPT_PREFIXES):
        return await handler(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type == "application/x-www-form-urlencoded":
        if (request.content_length or 0) > MAX_FORM_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM_BYTES, actual_size=request.content_length or 0)
        given = str((await request.post()).get("csrf") or "") or None
    if not request.app[AUTH].csrf_ok(request, given):
        _known_session(request)  # a session's token is refused because the session could not be looked up: 503
        log.warning("csrf_refused", path=request.path[:200], remote=request.remote)
        raise web.HTTPForbidden(text='{"error": "missing or invalid CSRF token"}', content_type="application/json")
    return await handler(request)


async def login_page(request: web.Request) -> web.Response:
    """A plain login form (the command-center page also has one in its triage panel)."""
    auth = request.app[AUTH]
    resp = html_response("")
    token = auth.csrf_token(request, resp)
    error = "ログインできませんでした / Login failed" if request.query.get("error") else ""
    resp.text = render("login.html", csrf=token, error=error)
    return resp


async def _credentials(request: web.Request) -> tuple[str, str, bool]:
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            data = {}
        data = data if isinstance(data, dict) else {}
        return str(data.get("username") or ""), str(data.get("password") or ""), True
    form = await request.post()
    return str(form.get("username") or ""), str(form.get("password") or ""), False


async def login(request: web.Request) -> web.Response:
    """Check the password (rate-limited per client) and start a session."""
    auth = request.app[AUTH]
    username, password, wants_json = await _credentials(request)
    wait = await auth.login_limiter.retry_after(request.remote or "?")
    if wait:
        log.warning("login_rate_limited", remote=request.remote)
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(wait)}, text='{"error": "too many attempts"}',
                                      content_type="application/json")
    account = username[:64]
    wait = await auth.account_backoff.retry_after(account)
    if wait:  # before the password is checked: a guess during the back-off tells nothing
        log.warning("login_account_backoff", username=account, remote=request.remote, wait_s=wait)
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(wait)}, text='{"error": "too many attempts"}',
                                      content_type="application/json")
    if not await auth.check_password(username, password):
        await auth.account_backoff.failed(account)
        log.warning("login_failed", username=account, remote=request.remote)
        if wants_json:
            raise web.HTTPUnauthorized(text='{"error": "wrong username or password"}', content_type="application/json")
        raise web.HTTPSeeOther("/login?error=1")
    await auth.account_backoff.succeeded(account)
    cookie, sess = await auth.issue(username)
    log.info("login_ok", username=username, remote=request.remote)
    if not wants_json:
        redirect = web.HTTPSeeOther("/")
        set_cookie(request, redirect, SESSION_COOKIE, cookie, max_age=SESSION_TTL_S)
        raise redirect
    resp = web.json_response({"user": sess.username, "csrf": sess.csrf,
                              "municipality": await operator_scope(request, sess.username)})
    set_cookie(request, resp, SESSION_COOKIE, cookie, max_age=SESSION_TTL_S)
    return resp


async def logout(request: web.Request) -> web.Response:
    """End the session (the cookie is also revoked server-side)."""
    sess = _known_session(request)
    if sess is not None:
        await request.app[AUTH].revoke(sess)
    resp = web.json_response({"user": None})
    resp.del_cookie(SESSION_COOKIE, path="/")
    return resp


async def operator_scope(request: web.Request, username: str) -> str | None:
    """The municipality (5-digit JIS) an operator may act for; None for a prefecture operator. The page
    needs it to offer only that municipality in the evacuation entry; the server checks it again."""
    from kernel.store.evacuations import operator_municipality

    return await request.app[CTX].store.read(lambda s: operator_municipality(s, username))


async def session_info(request: web.Request) -> web.Response:
    """Who is logged in, their municipality (None: the whole prefecture), the CSRF token the page must send,
    and the service clock's now (the demo replays another day), which the evacuation form starts from."""
    auth = request.app[AUTH]
    sess = auth.session_of(request)
    scope = await operator_scope(request, sess.username) if sess else None
    resp = web.json_response({})
    resp.headers["Cache-Control"] = "no-store"
    resp.text = json.dumps({"user": sess.username if sess else None, "municipality": scope,
                            "csrf": auth.csrf_token(request, resp), "now": request.app[CTX].clock().isoformat()})
    return resp


def add_routes(app: web.Application) -> None:
    """Mount the login routes."""
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/api/session", session_info)
