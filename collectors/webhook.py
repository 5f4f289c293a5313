"""Generic authenticated JSON webhook: HMAC-SHA256 signed posts pushed to POST /webhook/{source_name}.

Signature: ``X-Bosai-Signature: sha256=<hex>`` where hex = HMAC-SHA256(secret, f"{timestamp}.".encode() + body)
and ``timestamp`` (Unix seconds) is sent in ``X-Bosai-Timestamp``; signing the timestamp with the body makes
the replay window meaningful. Body: one post object or ``{"posts": [...]}``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import aiohttp
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from collectors.base import StreamingCollector
from collectors.prefilter import PrefilterConfig
from collectors.social import PostFilter
from kernel.config import format_validation_error, secret
from kernel.errors import SourceDataError
from kernel.logs import get_logger
from kernel.records import Post, Record, time_problem

log = get_logger(__name__)  # senders' text is logged as fields, never as message text

SIGNATURE_HEADER: Final = "X-Bosai-Signature"
TIMESTAMP_HEADER: Final = "X-Bosai-Timestamp"
MAX_TIMESTAMP_DIGITS: Final = 12  # Unix seconds until the year 33658


class WebhookPost(BaseModel):
    """One post as a webhook sender supplies it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=20_000)
    author: str = Field(default="", max_length=200)
    created_at: datetime
    lang: str | None = None
    url: str | None = None
    media_urls: list[str] = Field(default_factory=list, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)


class WebhookBatch(BaseModel):
    """Several posts in one request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    posts: list[WebhookPost] = Field(min_length=1, max_length=500)


def sign(secret_value: str, body: bytes, timestamp: int) -> dict[str, str]:
    """Headers a sender adds: the timestamp and the HMAC-SHA256 signature over ``timestamp.body``."""
    digest = hmac.new(secret_value.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"sha256={digest}"}


class Webhook(StreamingCollector, kind="webhook"):
    """Receives signed JSON posts; the handler returns only once the runner has stored them."""

    class Config(StreamingCollector.Config):
        """Secret variable, limits and prefilter."""

        secret_env: str
        max_body_bytes: int = Field(default=256 * 1024, ge=1024)
        replay_window_s: float = Field(default=300.0, gt=0)
        queue_size: int = Field(default=1000, ge=1)
        prefilter: PrefilterConfig = PrefilterConfig()

    config: Config

    def __init__(self, config: Config, http: aiohttp.ClientSession, data_dir: Path,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(config, http, data_dir)
        self.clock = clock
        self._filter = PostFilter(config.prefilter)
        # Records, not only posts: collectors.cap_evacuation queues its notices here too.
        self._queue: asyncio.Queue[tuple[Record, bytes, asyncio.Future[None]]] = asyncio.Queue(config.queue_size)
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._waiting: dict[int, asyncio.Future[None]] = {}  # id(post) -> its request's future

    async def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Yield posts as requests arrive; each request is answered when the runner reports it stored."""
        self.alive()
        while True:
            post, raw, done = await self._queue.get()
            self._waiting[id(post)] = done
            try:
                yield post, raw
            except BaseException as err:
                self.delivered(post, err)
                raise

    def delivered(self, record: Record, error: BaseException | None) -> None:
        """Answer the request that carried ``record``: 2xx once stored, 503 when storing failed."""
        done = self._waiting.pop(id(record), None)
        if done is None or done.done():
            return
        if error is None:
            done.set_result(None)
        elif isinstance(error, Exception):
            done.set_exception(error)
        else:  # cancelled (the runner stopping): the sender gets a 503 to retry, the handler is not cancelled
            done.set_exception(RuntimeError("collector stopped"))

    async def handler(self, request: web.Request) -> web.Response:
        """POST handler: 413 giant body, 401 bad/old signature or replay, 400 bad JSON, 503 not stored."""
        cfg = self.config
        if request.content_length is not None and request.content_length > cfg.max_body_bytes:
            return _error(413, f"body larger than {cfg.max_body_bytes} bytes")
        buffer = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            buffer += chunk
            if len(buffer) > cfg.max_body_bytes:  # chunked bodies declare no length
                return _error(413, f"body larger than {cfg.max_body_bytes} bytes")
        body = bytes(buffer)
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        if stamp and not _is_unix_seconds(stamp):  # malformed, not unauthenticated: 400
            log.warning("webhook_rejected", source=self.name, reason="malformed timestamp")
            return _error(400, f"{TIMESTAMP_HEADER} must be Unix seconds (ASCII digits)")
        problem = self._check_signature(request, body)
        if problem:
            log.warning("webhook_rejected", source=self.name, reason=problem)
            return _error(401, problem)
        try:
            posts = self._parse(body)
        except ValueError as err:  # a signed sender's bad body: kept with the rejects, not lost
            await self.reject(SourceDataError(f"webhook body refused: {err}", raw=body))
            return _error(400, str(err))
        kept = [(p, raw) for p, raw in ((self._filter(post), raw) for post, raw in posts) if p is not None]
        futures = []
        for post, raw in kept:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            try:
                self._queue.put_nowait((post, raw, future))
            except asyncio.QueueFull:
                return _error(503, "webhook queue is full; retry later")
            futures.append(future)
        try:
            await asyncio.wait_for(asyncio.gather(*futures), timeout=cfg.timeout_s)
        except SourceDataError as err:  # the runner refused an item as bad data and kept it: retrying won't help
            return _error(400, str(err))
        except (TimeoutError, Exception) as err:
            log.warning("webhook_not_stored", source=self.name, error=str(err)[:500])
            return _error(503, "not stored; retry later")
        return web.json_response({"accepted": len(kept), "dropped": len(posts) - len(kept)})

    def _check_signature(self, request: web.Request, body: bytes) -> str | None:
        key = secret(self.config.secret_env)
        if not key:
            return f"webhook secret {self.config.secret_env} is not configured"
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not given.startswith("sha256=") or not stamp:
            return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}"
        if not _is_unix_seconds(stamp):
            return f"{TIMESTAMP_HEADER} must be Unix seconds"
        if abs(self.clock() - int(stamp)) > self.config.replay_window_s:
            return "timestamp outside the replay window"
        expected = sign(key, body, int(stamp))[SIGNATURE_HEADER]
        if not hmac.compare_digest(expected, given):
            return "bad signature"
        now = self.clock()
        while self._seen and next(iter(self._seen.values())) < now - self.config.replay_window_s:
            self._seen.popitem(last=False)
        if given in self._seen:
            return "replayed request"
        self._seen[given] = now
        return None

    def _parse(self, body: bytes) -> list[tuple[Post, bytes]]:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:  # nested too deep
            raise ValueError(f"body is not valid UTF-8 JSON: {err}") from err
        is_batch = isinstance(data, dict) and "posts" in data
        try:
            items = WebhookBatch.model_validate(data).posts if is_batch else [WebhookPost.model_validate(data)]
        except ValidationError as err:
            raise ValueError(f"invalid post: {format_validation_error(err)}") from err
        raws = data["posts"] if is_batch else [data]
        now = datetime.fromtimestamp(self.clock(), UTC)
        for item in items:
            if item.created_at.tzinfo is None:
                raise ValueError(f"post {item.id}: created_at needs a UTC offset")
            problem = time_problem(item.created_at, now)
            if problem:  # refused here, before anything is queued: the sender learns it, and no retry loop
                raise ValueError(f"post {item.id}: created_at {problem}")
        return [
            (self._post(item), json.dumps(raw, ensure_ascii=False).encode("utf-8"))
            for item, raw in zip(items, raws, strict=True)
        ]

    def _post(self, item: WebhookPost) -> Post:
        return Post(
            source=self.name, source_id=item.id, observed_at=item.created_at, author=item.author, text=item.text,
            lang=item.lang, url=item.url, media_urls=tuple(item.media_urls),
            geo=(item.lat, item.lng) if item.lat is not None and item.lng is not None else None,
        )


def _is_unix_seconds(stamp: str) -> bool:
    """ASCII digits only ("²".isdigit() is true, and int() refuses it), and few enough for int() (4,300)."""
    return stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_TIMESTAMP_DIGITS


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
