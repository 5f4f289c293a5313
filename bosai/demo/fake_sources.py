"""Local servers speaking the real source protocols (JMA Atom, MLIT JSON, camera stills, X v2 stream,
Mastodon SSE) with fault switches; used by the demo and by the collector tests."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Final
from xml.sax.saxutils import escape

from aiohttp import web

FEEDS: Final = ("regular", "extra", "eqvol", "other")
ENDPOINTS: Final = ("jma_feed", "jma_data", "river", "camera", "x_stream", "x_rules", "mastodon")
_TITLE_RE: Final = re.compile(rb"<Title>([^<]{1,200})</Title>")


CLIENT_BUFFER = 2000  # lines queued per stream client before a push waits


@dataclass
class Fault:
    """Switches for one endpoint; the defaults mean 'behave'."""

    status: int | None = None  # answer with this status instead
    times: int | None = None  # how many requests get ``status`` (None: until cleared)
    delay_s: float = 0.0  # wait this long before answering (or before a stream starts)
    force_304: bool = False  # always answer 304 Not Modified (feeds, cameras)
    body: bytes | None = None  # replace the body (garbage, wrong encoding, giant payloads)
    content_type: str | None = None  # replace the Content-Type
    truncate: bool = False  # declare the full length, send half, close the connection
    duplicates: bool = False  # feeds: every entry twice; streams: every item twice
    malformed_lines: int = 0  # streams: write this many broken lines before each item
    disconnect_after_n: int | None = None  # streams: end the connection after n items

    def take_status(self) -> int | None:
        """The status to answer now, consuming one of ``times``."""
        if self.status is None or self.times == 0:
            return None
        if self.times is not None:
            self.times -= 1
        return self.status


@dataclass
class _Entry:
    feed: str
    file: str
    title: str
    office: str
    at: datetime


@dataclass
class _Blob:
    body: bytes
    content_type: str
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


def _not_modified(request: web.Request, blob: _Blob) -> bool:
    """RFC 9110: If-None-Match wins; otherwise If-Modified-Since at one-second resolution."""
    if "If-None-Match" in request.headers:
        return request.headers["If-None-Match"] == blob.etag
    since = request.if_modified_since
    return since is not None and blob.modified.replace(microsecond=0) <= since


class FakeSources:
    """One aiohttp application serving every fake source; see the module docstring for the routes."""

    def __init__(self, *, x_token: str | None = None, keepalive_s: float = 20.0, heartbeat_s: float = 15.0,
                 short_feed_size: int = 40) -> None:
        self.x_token = x_token  # None: any non-empty bearer token is accepted
        self.keepalive_s = keepalive_s
        self.heartbeat_s = heartbeat_s
        self.short_feed_size = short_feed_size
        self.faults: dict[str, Fault] = {name: Fault() for name in ENDPOINTS}
        self.hits: Counter[str] = Counter()
        self.x_rules: list[dict[str, str]] = []
        self._entries: list[_Entry] = []
        self._data: dict[str, bytes] = {}
        self._gauge_items: list[dict[str, Any]] = []
        self._cameras: dict[str, _Blob] = {}
        self._clients: dict[str, set[asyncio.Queue[bytes | None]]] = {"x": set(), "mastodon": set()}
        self._runner: web.AppRunner | None = None
        self._rule_ids = 0
        self._client_change = asyncio.Condition()

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving; return the base URL, e.g. ``http://127.0.0.1:PORT``."""
        app = web.Application()
        app.router.add_get("/jma/feed/{name}.xml", self._jma_feed)
        app.router.add_get("/jma/data/{file}", self._jma_data)
        app.router.add_get("/river/readings.json", self._river)
        app.router.add_get("/cameras/{camera_id}.jpg", self._camera)
        app.router.add_get("/2/tweets/search/stream", self._x_stream)
        app.router.add_route("*", "/2/tweets/search/stream/rules", self._x_rules)
        app.router.add_get("/api/v1/streaming/{timeline:.+}", self._mastodon)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()  # type: ignore[union-attr]
        return f"http://{host}:{bound[1]}"

    async def stop(self) -> None:
        """End every stream and stop the server."""
        for queues in self._clients.values():
            for queue in queues:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def reset_faults(self) -> None:
        """Clear every fault switch."""
        self.faults = {name: Fault() for name in ENDPOINTS}

    # -- content -----------------------------------------------------------------------------------
    def publish_jma(self, xml: bytes, *, feed: str = "extra", data_type: str = "VPWW54", office: str = "240000",
                    at: datetime | None = None) -> str:
        """Add a telegram to ``feed``; return its file name (served at /jma/data/<file>)."""
        if feed not in FEEDS:
            raise ValueError(f"feed must be one of {FEEDS}")
        at = (at or datetime.now(UTC)).astimezone(UTC)
        serial = 0
        while (file := f"{at:%Y%m%d%H%M%S}_{serial}_{data_type}_{office}.xml") in self._data:
            serial += 1
        match = _TITLE_RE.search(xml)
        title = match.group(1).decode("utf-8", errors="replace") if match else data_type
        self._data[file] = xml
        self._entries.append(_Entry(feed, file, title, office, at))
        return file

    def set_gauge_items(self, items: list[dict[str, Any]]) -> None:
        """Replace the readings served at /river/readings.json (MLIT item format)."""
        self._gauge_items = [dict(item) for item in items]

    def set_camera_image(self, camera_id: str, image: bytes, content_type: str = "image/jpeg") -> None:
        """Replace the still served at /cameras/<camera_id>.jpg."""
        self._cameras[camera_id] = _Blob(image, content_type)

    async def push_x_post(self, tweet: dict[str, Any]) -> None:
        """Write one v2 payload as a JSON line to every connected filtered-stream client."""
        await self._push("x", json.dumps(tweet, ensure_ascii=False).encode("utf-8") + b"\r\n")

    async def push_mastodon_status(self, status: dict[str, Any]) -> None:
        """Send one Status entity as an SSE ``update`` event to every streaming client."""
        data = json.dumps(status, ensure_ascii=False)
        await self._push("mastodon", f"event: update\ndata: {data}\n\n".encode())

    async def push_raw(self, stream: str, data: bytes) -> None:
        """Write raw bytes to every client of ``stream`` ('x' or 'mastodon'), for protocol-fault tests."""
        await self._push(stream, data)

    def stream_clients(self, stream: str) -> int:
        """How many clients are connected to ``stream`` ('x' or 'mastodon')."""
        return len(self._clients[stream])

    async def wait_for_clients(self, stream: str, n: int = 1) -> None:
        """Wait until ``n`` clients are connected to ``stream`` (wrap in ``asyncio.timeout``)."""
        async with self._client_change:
            await self._client_change.wait_for(lambda: len(self._clients[stream]) >= n)

    async def _clients_changed(self) -> None:
        async with self._client_change:
            self._client_change.notify_all()

    async def _push(self, stream: str, data: bytes) -> None:
        for queue in list(self._clients[stream]):
            await queue.put(data)

    # -- handlers ----------------------------------------------------------------------------------
    async def _faulted(self, endpoint: str, request: web.Request) -> web.StreamResponse | None:
        self.hits[endpoint] += 1
        fault = self.faults[endpoint]
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        status = fault.take_status()
        if status is not None:
            return web.json_response({"error": f"fault {status}"}, status=status)
        return None

    async def _send(self, endpoint: str, request: web.Request, blob: _Blob) -> web.StreamResponse:
        fault = self.faults[endpoint]
        if fault.force_304 or _not_modified(request, blob):
            return web.Response(status=304, headers={"ETag": blob.etag})
        body = fault.body if fault.body is not None else blob.body
        headers = {"ETag": blob.etag, "Last-Modified": format_datetime(blob.modified, usegmt=True),
                   "Content-Type": fault.content_type or blob.content_type}
        if fault.truncate:
            resp = web.StreamResponse(headers={**headers, "Content-Length": str(len(body))})
            await resp.prepare(request)
            await resp.write(body[: len(body) // 2])
            request.transport.close()  # type: ignore[union-attr]
            return resp
        return web.Response(body=body, headers=headers)

    async def _jma_feed(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        feed, long = name.removesuffix("_l"), name.endswith("_l")
        if feed not in FEEDS:
            raise web.HTTPNotFound()
        if (answer := await self._faulted("jma_feed", request)) is not None:
            return answer
        entries = [e for e in self._entries if e.feed == feed]
        entries = entries if long else entries[-self.short_feed_size:]
        if self.faults["jma_feed"].duplicates:
            entries = [e for e in entries for _ in (0, 1)]
        body = self._atom(feed, long, entries, str(request.url.origin())).encode("utf-8")
        modified = max((e.at for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC)).replace(microsecond=0)
        return await self._send("jma_feed", request, _Blob(body, "application/atom+xml; charset=utf-8", modified))

    def _atom(self, feed: str, long: bool, entries: list[_Entry], origin: str) -> str:
        updated = max((e.at for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
        kind = "long" if long else "short"
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" lang="ja">',
            f"<title>{feed}</title><subtitle>JMAXML publishing feed</subtitle>",
            f"<updated>{updated.astimezone(UTC).isoformat()}</updated>",
            f"<id>{origin}/jma/feed/{feed}.xml#{kind}_{int(updated.timestamp())}</id>",
        ]
        for e in reversed(entries):
            url = f"{origin}/jma/data/{e.file}"
            parts.append(
                f"<entry><title>{escape(e.title)}</title><id>{url}</id>"
                f"<updated>{e.at:%Y-%m-%dT%H:%M:%SZ}</updated><author><name>{e.office}</name></author>"
                f'<link type="application/xml" href="{url}"/><content type="text">{escape(e.title)}</content></entry>'
            )
        parts.append("</feed>")
        return "\n".join(parts)

    async def _jma_data(self, request: web.Request) -> web.StreamResponse:
        if (answer := await self._faulted("jma_data", request)) is not None:
            return answer
        data = self._data.get(request.match_info["file"])
        if data is None:
            raise web.HTTPNotFound()
        return await self._send("jma_data", request, _Blob(data, "application/xml"))

    async def _river(self, request: web.Request) -> web.StreamResponse:
        if (answer := await self._faulted("river", request)) is not None:
            return answer
        body = json.dumps({"items": self._gauge_items}, ensure_ascii=False).encode("utf-8")
        return await self._send("river", request, _Blob(body, "application/json; charset=utf-8"))

    async def _camera(self, request: web.Request) -> web.StreamResponse:
        if (answer := await self._faulted("camera", request)) is not None:
            return answer
        blob = self._cameras.get(request.match_info["camera_id"])
        if blob is None:
            raise web.HTTPNotFound()
        return await self._send("camera", request, blob)

    def _x_authorized(self, request: web.Request) -> bool:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        return bool(token) and (self.x_token is None or token == self.x_token)

    async def _x_rules(self, request: web.Request) -> web.StreamResponse:
        if (answer := await self._faulted("x_rules", request)) is not None:
            return answer
        if not self._x_authorized(request):
            return web.json_response({"title": "Unauthorized", "status": 401}, status=401)
        if request.method == "POST":
            body = await request.json()
            deleted = set((body.get("delete") or {}).get("ids", []))
            self.x_rules = [r for r in self.x_rules if r["id"] not in deleted]
            for rule in body.get("add", []):
                self._rule_ids += 1
                self.x_rules.append({"id": str(self._rule_ids), "value": rule["value"], "tag": rule.get("tag", "")})
        return web.json_response({"data": self.x_rules, "meta": {"result_count": len(self.x_rules)}})

    async def _x_stream(self, request: web.Request) -> web.StreamResponse:
        if (answer := await self._faulted("x_stream", request)) is not None:
            return answer
        if not self._x_authorized(request):
            return web.json_response({"title": "Unauthorized", "status": 401}, status=401)
        return await self._stream(request, "x", "application/json", b"\r\n", b'{"data": {"id": \r\n')

    async def _mastodon(self, request: web.Request) -> web.StreamResponse:
        if (answer := await self._faulted("mastodon", request)) is not None:
            return answer
        return await self._stream(request, "mastodon", "text/event-stream", b":thump\n",
                                  b"event: update\ndata: {not json\n\n")

    async def _stream(self, request: web.Request, stream: str, content_type: str, keepalive: bytes,
                      broken: bytes) -> web.StreamResponse:
        endpoint = "x_stream" if stream == "x" else "mastodon"
        resp = web.StreamResponse(headers={"Content-Type": content_type, "Cache-Control": "no-cache"})
        await resp.prepare(request)
        # Bounded like a real server's send buffer: a slow client slows the pusher down instead of
        # growing this process's memory (which would count against the service in `bosai bench`).
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(CLIENT_BUFFER)
        self._clients[stream].add(queue)
        await self._clients_changed()
        sent = 0
        interval = self.keepalive_s if stream == "x" else self.heartbeat_s
        try:
            await resp.write(keepalive)
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), interval)
                except TimeoutError:
                    await resp.write(keepalive)
                    continue
                if item is None:
                    break
                fault = self.faults[endpoint]  # looked up per item: reset_faults() replaces the switches
                for _ in range(fault.malformed_lines):
                    await resp.write(broken)
                for _ in range(2 if fault.duplicates else 1):
                    await resp.write(item)
                sent += 1
                if fault.disconnect_after_n is not None and sent >= fault.disconnect_after_n:
                    break
        except ConnectionResetError:
            pass  # the client went away
        finally:
            self._clients[stream].discard(queue)
        return resp
