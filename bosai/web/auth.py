"""Operator login: scrypt password hashes, HMAC-signed session cookies, CSRF tokens, login rate limit.

Sessions are signed cookies (HttpOnly, SameSite=Strict) that carry the operator, an expiry, a nonce and
the session's CSRF token; every POST except the signed webhooks must echo that token (before login, the
token of a separate pre-session cookie). Whether a session is still on (not logged out), the login limits and
the per-account back-off live in a ``session_store.SharedState``: this process's memory, or Redis for all
web processes. Each request's session is looked up once, before its handler (:meth:`Authenticator.resolve`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from sqlalchemy.orm import Session as DbSession

from bosai.context import utc_now
from bosai.web.passwords import hash_password_async, unusable_hash, verify_password_async
from bosai.web.session_store import SESSION_TTL_S, MemoryState, SharedState, StateUnavailable
from kernel.config import AppConfig, secret
from kernel.logs import get_logger
from kernel.store import Store
from kernel.store.models import Operator

log = get_logger(__name__)

SESSION_COOKIE: Final = "bosai_session"
CSRF_COOKIE: Final = "bosai_csrf"
CSRF_HEADER: Final = "X-CSRF-Token"
USERNAME_RE: Final = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_PASSWORD: Final = 1024
LOGIN_PER_MIN: Final = 10  # attempts per client address per minute (burst of 5)
NOT_LOOKED_UP: Final = ("/static/",)  # no handler there asks who is logged in


@dataclass(frozen=True, slots=True)
class OperatorSession:
    """A logged-in operator as read from a valid cookie."""

    username: str
    csrf: str
    nonce: str
    expires: int


async def create_operator(store: Store, username: str, password: str, *, municipality_code: str | None = None) -> None:
    """Create the operator, or set a new password (and municipality) if it exists (CLI and demo).

    ``municipality_code`` (5-digit JIS) restricts the operator to that municipality's evacuation information
    and shelters; None makes a prefecture operator, allowed for all.
    """
    if municipality_code is not None and not re.fullmatch(r"\d{5}", municipality_code):
        raise ValueError("municipality: a 5-digit JIS code such as 24201")
    if not USERNAME_RE.match(username):
        raise ValueError("username: 1-64 letters, digits, '_', '.' or '-'")
    if not password or len(password) > MAX_PASSWORD:
        raise ValueError(f"password: 1-{MAX_PASSWORD} characters")
    hashed = await hash_password_async(password)
    now = utc_now()

    def upsert(session: DbSession) -> None:
        row = session.get(Operator, username)
        if row is None:
            session.add(Operator(username=username, password_hash=hashed, created_at=now,
                                 municipality_code=municipality_code))
        else:
            row.password_hash, row.municipality_code = hashed, municipality_code

    await store.write(upsert)
    log.info("operator_saved", username=username, municipality=municipality_code or "all")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_SESSION: Final = web.RequestKey("operator_session", object)  # OperatorSession | None, set by resolve
_UNAVAILABLE: Final = web.RequestKey("session_state_unavailable", bool)


class Authenticator:
    """Checks passwords, signs and reads session cookies, and holds the login limits (``state``: where the
    sessions, limits and back-offs are kept; this process's memory unless told)."""

    def __init__(self, config: AppConfig, store: Store, *, state: SharedState | None = None,
                 env: dict[str, str] | None = None) -> None:
        configured = secret(config.web.session_secret_env, env)
        self._configured = configured is not None
        self._key = (configured or secrets.token_hex(32)).encode()
        self._env_name = config.web.session_secret_env
        self._store = store
        self._env_operators = self._parse_operators(secret(config.web.operators_env, env) or "")
        self.state = state or MemoryState()
        self.sessions = self.state.sessions
        self.login_limiter = self.state.limiter("login", LOGIN_PER_MIN, capacity=5, strict=True)
        self.account_backoff = self.state.backoff(config.web.login_backoff_after, config.web.login_backoff_max_s)
        self._dummy_hash = unusable_hash()

    async def start(self) -> None:
        """Agree on the cookie-signing key when none is configured (shared state: every process signs alike)."""
        if self._configured:
            return
        self._key = (await self.state.signing_key(self._key.decode())).encode()
        if isinstance(self.state, MemoryState):
            log.warning("session_secret_random", env=self._env_name, note="sessions end when the process restarts")
        else:
            log.info("session_secret_shared", env=self._env_name, note="none configured: one kept in Redis")

    @staticmethod
    def _parse_operators(value: str) -> dict[str, str]:
        out = {}
        for entry in filter(None, (e.strip() for e in value.split(","))):
            name, _, hashed = entry.partition(":")
            if USERNAME_RE.match(name) and hashed:
                out[name] = hashed
        return out

    async def check_password(self, username: str, password: str) -> bool:
        """Whether the operator exists and the password matches (same work either way)."""
        if not USERNAME_RE.match(username) or len(password) > MAX_PASSWORD:
            return False
        stored = self._env_operators.get(username)
        if stored is None:
            row = await self._store.read(lambda s: s.get(Operator, username))
            stored = row.password_hash if row is not None else None
        # Hash even for unknown users so timing does not reveal who exists.
        matches = await verify_password_async(password, stored or self._dummy_hash)
        return matches and stored is not None

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()

    async def issue(self, username: str) -> tuple[str, OperatorSession]:
        """Start a session: a new signed cookie value and the session it holds (StateUnavailable: not started)."""
        sess = OperatorSession(username, secrets.token_urlsafe(24), secrets.token_urlsafe(12),
                               int(time.time()) + SESSION_TTL_S)
        await self.sessions.start(sess.nonce, username, SESSION_TTL_S)
        body = _b64(json.dumps({"u": sess.username, "c": sess.csrf, "n": sess.nonce, "e": sess.expires}).encode())
        return f"{body}.{self._sign(body)}", sess

    def read(self, cookie: str | None) -> OperatorSession | None:
        """The session in a cookie value, or None when missing, forged, expired or logged out (as far as this
        process knows now: a logout in another process is learnt within ``session_redis.RECHECK_S``)."""
        sess = self._verify(cookie)
        return sess if sess is not None and self.sessions.known_alive(sess.nonce) else None

    def _verify(self, cookie: str | None) -> OperatorSession | None:
        """The session in a cookie value if its signature is ours and it has not expired."""
        if not cookie or "." not in cookie or len(cookie) > 1024:
            return None
        body, _, sig = cookie.rpartition(".")
        if not hmac.compare_digest(self._sign(body), sig):
            return None
        try:
            data: dict[str, Any] = json.loads(_unb64(body))
            sess = OperatorSession(str(data["u"]), str(data["c"]), str(data["n"]), int(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        return None if sess.expires < time.time() else sess

    async def revoke(self, sess: OperatorSession) -> None:
        """Log a session out before it expires, in every process (StateUnavailable: not recorded)."""
        await self.sessions.end(sess.nonce)

    async def resolve(self, request: web.Request) -> None:
        """Look up the request's session once, for :meth:`session_of`; an unreachable store counts as none."""
        if request.path.startswith(NOT_LOOKED_UP):
            return
        sess = self._verify(request.cookies.get(SESSION_COOKIE))
        try:
            alive = sess is not None and await self.sessions.alive(sess.nonce)
        except StateUnavailable:
            request[_UNAVAILABLE], alive = True, False
        request[_SESSION] = sess if alive else None

    def session_of(self, request: web.Request) -> OperatorSession | None:
        """The operator session of a request, if any (as :meth:`resolve` found it)."""
        if _SESSION in request:
            found = request[_SESSION]
            return found if isinstance(found, OperatorSession) else None
        return self.read(request.cookies.get(SESSION_COOKIE))

    @staticmethod
    def unavailable(request: web.Request) -> bool:
        """Whether the request's session could not be looked up (shared state unreachable)."""
        return request.get(_UNAVAILABLE, False)

    def csrf_token(self, request: web.Request, response: web.StreamResponse | None = None) -> str:
        """The token a page must echo in POSTs: the session's, else a pre-session cookie's (set if absent)."""
        sess = self.session_of(request)
        if sess is not None:
            return sess.csrf
        token = request.cookies.get(CSRF_COOKIE)
        if not token or len(token) > 64:
            token = secrets.token_urlsafe(24)
            if response is not None:
                set_cookie(request, response, CSRF_COOKIE, token, max_age=SESSION_TTL_S)
        return token

    def csrf_ok(self, request: web.Request, given: str | None) -> bool:
        """Whether ``given`` is the CSRF token expected for this request."""
        sess = self.session_of(request)
        expected = sess.csrf if sess is not None else request.cookies.get(CSRF_COOKIE)
        return bool(given and expected and hmac.compare_digest(given, expected))


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, *, max_age: int) -> None:
    """Set a cookie the way all of ours are set: HttpOnly, SameSite=Strict, Secure over HTTPS."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="Strict",
                        secure=request.secure)
