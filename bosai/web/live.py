"""GET /live: Server-Sent Events of what the pipeline publishes (incident, post, gauge, camera, alert, warning)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Final

from aiohttp import web

from bosai.live import LiveEvent
from bosai.web.keys import CTX, LIVE_CAP

log = logging.getLogger(__name__)

KEEPALIVE_S: Final = 15.0
RETRY_MS: Final = 3000
BUSY_RETRY_S: Final = 30  # Retry-After for a client that already holds its share of streams
EVENT_NAMES: Final = frozenset({"incident", "post", "gauge", "camera", "alert", "warning", "evacuation", "shelter"})
STREAMS = web.AppKey("live_streams", set)  # the handler tasks, ended at shutdown instead of waited for


def encode(event: LiveEvent) -> bytes:
    """One SSE frame; JSON never contains a raw newline, so one data line suffices."""
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {event.seq}\nevent: {event.name}\ndata: {data}\n\n".encode()


async def live(request: web.Request) -> web.StreamResponse:
    """Stream within the client's cap of open streams: each holds a hub subscription and a socket for hours,
    which the per-minute limit on new connections alone does not bound."""
    cap, client = request.app[LIVE_CAP], request.remote or "?"
    if not cap.acquire(client):
        log.warning("live_streams_limited remote=%s open=%d", request.remote, cap.limit)
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(BUSY_RETRY_S)}, content_type="application/json",
                                      text='{"error": "too many open live streams from this address"}')
    try:
        return await _stream(request)
    finally:
        cap.release(client)  # a vanished client is noticed at the next keep-alive at the latest


async def _stream(request: web.Request) -> web.StreamResponse:
    """Stream events until the client goes away; a comment line every few seconds keeps proxies open."""
    ctx = request.app[CTX]
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    await resp.write(f"retry: {RETRY_MS}\n: connected\n\n".encode())
    events = ctx.hub.subscribe()
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
            if event.name in EVENT_NAMES:
                await resp.write(encode(event))
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
