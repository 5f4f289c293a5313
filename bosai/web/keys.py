"""Typed application keys shared by the web modules (kept apart from app.py to avoid import cycles)."""

from __future__ import annotations

from aiohttp import web

from bosai.context import ServiceContext
from bosai.web.auth import Authenticator
from bosai.web.places import MieData
from bosai.web.ratelimit import ConcurrencyCap
from bosai.web.session_store import Limiter

CTX = web.AppKey("ctx", ServiceContext)
AUTH = web.AppKey("auth", Authenticator)
PUBLIC_LIMIT = web.AppKey("public_limit", Limiter)  # in memory, or shared in Redis (session_store)
WEBHOOK_LIMIT = web.AppKey("webhook_limit", Limiter)
LIVE_CAP = web.AppKey("live_cap", ConcurrencyCap)
LIVE_TOTAL = web.AppKey("live_total", ConcurrencyCap)  # every open /live stream of this process, one key
MIE = web.AppKey("mie", MieData)
