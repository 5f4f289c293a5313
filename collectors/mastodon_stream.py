"""Mastodon streaming API (SSE): public, public:local or hashtag timelines -> posts with text from HTML."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

import aiohttp
from pydantic import Field, model_validator

from collectors.base import StreamingCollector
from collectors.html_text import html_to_text
from collectors.lines import OversizedLine, iter_lines
from collectors.social import PostFilter, StreamConfig, load_json_object, open_stream
from kernel.config import secret
from kernel.errors import SourceDataError
from kernel.records import Post, Record

log = logging.getLogger(__name__)

PATHS: Final = {
    "public": "/api/v1/streaming/public",
    "public:local": "/api/v1/streaming/public/local",
    "hashtag": "/api/v1/streaming/hashtag",
    "hashtag:local": "/api/v1/streaming/hashtag/local",
}


@dataclass
class SSEEvent:
    """One server-sent event."""

    event: str = "message"
    data: list[str] = field(default_factory=list)


class SSEParser:
    """Feeds lines, returns complete events; comments (``:thump``) are reported as heartbeats.

    An event whose data grows past ``max_bytes`` is dropped (reported once as an OversizedLine).
    """

    def __init__(self, max_bytes: int = 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._event = SSEEvent()
        self._size = 0
        self._dropping = False

    def feed(self, line: bytes) -> SSEEvent | OversizedLine | Literal["heartbeat"] | None:
        """Consume one line (without its ending); return an event at a blank line."""
        if not line:
            event, dropped = self._event, self._dropping
            self._event, self._size, self._dropping = SSEEvent(), 0, False
            return event if event.data and not dropped else None
        if line.startswith(b":"):
            return "heartbeat"
        if self._dropping:
            return None
        name, _, value = line.decode("utf-8", errors="replace").partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event.event = value
        elif name == "data":
            self._size += len(value)
            if self._size > self.max_bytes:
                self._dropping = True
                return OversizedLine(f"SSE event exceeds {self.max_bytes} bytes", raw=value[:1024].encode())
            self._event.data.append(value)
        return None


def parse_status(status: dict[str, Any], source: str) -> Post:
    """A Post from a Mastodon Status entity (reblogs point at the original)."""
    try:
        account = status.get("account") or {}
        original = status.get("reblog") or None
        body = original or status
        media = tuple(m["url"] for m in body.get("media_attachments") or [] if isinstance(m, dict) and m.get("url"))
        text = html_to_text(str(body.get("content") or ""))
        spoiler = str(body.get("spoiler_text") or "").strip()
        return Post(
            source=source,
            source_id=str(status["id"]),
            observed_at=datetime.fromisoformat(str(status["created_at"]).replace("Z", "+00:00")),
            author=str(account.get("acct") or account.get("username") or ""),
            text=f"{spoiler}\n{text}".strip() if spoiler else text,
            lang=body.get("language"),
            url=status.get("url") or status.get("uri"),
            media_urls=media,
            repost_of=str(original["id"]) if original and original.get("id") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise SourceDataError(f"unexpected status shape: {type(err).__name__}: {err}") from err


class MastodonStream(StreamingCollector, kind="mastodon_stream"):
    """Yields posts of a Mastodon streaming timeline until cancelled."""

    class Config(StreamConfig):
        """Instance, timeline and optional token variable."""

        base_url: str
        stream: Literal["public", "public:local", "hashtag", "hashtag:local"] = "public:local"
        tag: str | None = None  # required for hashtag streams, without '#'
        token_env: str | None = None  # some instances require a token for public streams
        stall_timeout_s: float = Field(default=60.0, gt=0)  # servers send ':thump' every ~15 s

        @model_validator(mode="after")
        def _tag_for_hashtag(self) -> MastodonStream.Config:
            if self.stream.startswith("hashtag") and not self.tag:
                raise ValueError("tag is required for hashtag streams")
            return self

    config: Config

    def __init__(self, config: Config, http: aiohttp.ClientSession, data_dir: Path) -> None:
        super().__init__(config, http, data_dir)
        self._filter = PostFilter(config.prefilter)

    async def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Connect and yield each ``update`` event as a post."""
        cfg = self.config
        headers = {"Accept": "text/event-stream"}
        token = secret(cfg.token_env) if cfg.token_env else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        params = {"tag": cfg.tag.lstrip("#")} if cfg.tag and cfg.stream.startswith("hashtag") else None
        url = cfg.base_url.rstrip("/") + PATHS[cfg.stream]
        parser = SSEParser(cfg.max_line_bytes)
        async with open_stream(self.http, url, cfg, headers=headers, params=params) as resp:
            self.alive()
            async for line in iter_lines(resp.content, cfg.max_line_bytes):
                if isinstance(line, OversizedLine):
                    await self.reject(line)
                    continue
                event = parser.feed(line)
                if isinstance(event, OversizedLine):
                    await self.reject(event)
                elif event == "heartbeat":
                    self.alive()
                elif isinstance(event, SSEEvent) and event.event == "update":
                    raw = "\n".join(event.data).encode("utf-8")
                    try:
                        post = self._filter(parse_status(load_json_object(raw, "status"), self.name))
                    except SourceDataError as err:
                        err.raw = err.raw or raw
                        await self.reject(err)
                        continue
                    if post is not None:
                        yield post, raw
