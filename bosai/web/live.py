"""GET /live: Server-Sent Events of what the pipeline publishes (incident, post, gauge, camera, alert, warning).

Operators get every event. The public gets only official information and incidents an operator confirmed,
with the same view as ``/api/incidents`` (no post text, no author); flagged posts and unverified incidents
never reach it. Each event carries an id; a page that reconnects with ``Last-Event-ID`` gets the events it
missed, through the same filter, or a ``reload`` event when they are gone (bosai.live).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
from typing import Final

from aiohttp import web

from bosai.live import RELOAD, LiveEvent
from bosai.web import queries
from bosai.web.auth import SESSION_COOKIE
from bosai.web.keys import AUTH, CTX, LIVE_CAP, LIVE_TOTAL

log = logging.getLogger(__name__)

KEEPALIVE_S: Final = 15.0
RETRY_MS: Final = 3000
ALL: Final = "*"  # the one key of the process-wide cap
BUSY_RETRY_S: Final = 30  # Retry-After for a client that already holds its share of streams
EVENT_NAMES: Final = frozenset({"incident", "post", "gauge", "camera", "alert", "warning", "evacuation", "shelter",
                                RELOAD})
# Events the public gets as they are: official sources only. "incident" goes through the public view;
# anything else ("post", a name added later) is for operators only.
PUBLIC_EVENTS: Final = frozenset({"gauge", "camera", "alert", "warning", "evacuation", "shelter", RELOAD})
EVENT_ID_RE: Final = re.compile(r"[0-9A-Za-z-]{1,64}")
STREAMS = web.AppKey("live_streams", set)  # the handler tasks, ended at shutdown instead of waited for


def encode(event: LiveEvent) -> bytes:
    """One SSE frame; JSON never contains a raw newline, so one data line suffices."""
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {event.id or event.seq}\nevent: {event.name}\ndata: {data}\n\n".encode()


def public_view(event: LiveEvent) -> LiveEvent | None:
    """The event as the public may see it, or None when it is for operators only."""
    if event.name in PUBLIC_EVENTS:
        return event
    if event.name == "incident":
        feature = queries.public_incident_feature(event.data)
        return None if feature is None else dataclasses.replace(event, data=feature)
    return None


def last_event_id(request: web.Request) -> str | None:
    """The id a reconnecting EventSource sends back; a malformed one counts as unknown (so: reload)."""
    given = (request.headers.get("Last-Event-ID") or "").strip()
    if not given:
        return None  # a first connection (browsers send no header before they have seen an id)
    return given if EVENT_ID_RE.fullmatch(given) else "-"


async def live(request: web.Request) -> web.StreamResponse:
    """Stream within the client's cap of open streams: each holds a hub subscription and a socket for hours,
    which the per-minute limit on new connections alone does not bound."""
    cap, total, client = request.app[LIVE_CAP], request.app[LIVE_TOTAL], request.remote or "?"
    if not cap.acquire(client):
        log.warning("live_streams_limited remote=%s open=%d", request.remote, cap.limit)
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(BUSY_RETRY_S)}, content_type="application/json",
                                      text='{"error": "too many open live streams from this address"}')
    if not total.acquire(ALL):  # many addresses (a botnet, or one behind many proxies' hops) add up
        cap.release(client)
        log.warning("live_streams_full remote=%s open=%d", request.remote, total.limit)
        raise web.HTTPServiceUnavailable(headers={"Retry-After": str(BUSY_RETRY_S)},
                                         content_type="application/json",
                                         text='{"error": "the live stream is full; retry later"}')
    try:
        return await _stream(request)
    finally:
        total.release(ALL)
        cap.release(client)  # a vanished client is noticed at the next keep-alive at the latest


async def _stream(request: web.Request) -> web.StreamResponse:
    """Stream events until the client goes away; a comment line every few seconds keeps proxies open."""
    ctx, auth = request.app[CTX], request.app[AUTH]
    cookie = request.cookies.get(SESSION_COOKIE)
    operator = auth.read(cookie) is not None
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    await resp.write(f"retry: {RETRY_MS}\n: connected\n\n".encode())
    events = ctx.hub.subscribe(last_event_id(request))
    me = asyncio.current_task()
    streams: set[asyncio.Task[object]] = request.app[STREAMS]
    if me is not None:
        streams.add(me)
    pending: asyncio.Task[LiveEvent] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_S)
            if not done:
                await resp.write(b": keep-alive\n\n")
                continue
            event, pending = pending.result(), None
            if event.name not in EVENT_NAMES:
                continue
            shown = public_view(event)
            if shown is not event and operator:
                # An operator's view lasts as long as the session: a logout or expiry mid-stream ends it.
                operator = auth.read(cookie) is not None
                shown = event if operator else shown
            if shown is not None:
                await resp.write(encode(shown))
    except ConnectionResetError:
        log.debug("live_client_gone remote=%s", request.remote)
    finally:
        streams.discard(me)  # type: ignore[arg-type]
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await events.aclose()
    return resp


async def _end_streams(app: web.Application) -> None:
    for task in list(app[STREAMS]):
        task.cancel()


def add_routes(app: web.Application) -> None:
    """Mount the SSE endpoint; open streams are ended when the app shuts down."""
    app[STREAMS] = set()
    app.on_shutdown.append(_end_streams)
    app.router.add_get("/live", live)
