"""X API v2 filtered stream: rules synced on start, JSON lines with keep-alives, X's reconnect policy."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from collectors.base import StreamingCollector
from collectors.fetch import HTTPStatusUnavailable, fetch
from collectors.lines import OversizedLine, iter_lines
from collectors.social import PostFilter, StreamConfig, load_json_object, open_stream
from kernel.config import secret
from kernel.errors import SourceDataError, SourceError, SourceUnavailable
from kernel.records import Post, Record

log = logging.getLogger(__name__)

STREAM_PATH: Final = "/2/tweets/search/stream"
RULES_PATH: Final = "/2/tweets/search/stream/rules"
QUERY: Final = {
    "tweet.fields": "id,text,author_id,created_at,lang,geo,attachments,referenced_tweets,entities",
    "expansions": "author_id,geo.place_id,attachments.media_keys,referenced_tweets.id",
    "user.fields": "id,name,username",
    "place.fields": "id,full_name,geo,country_code",
    "media.fields": "media_key,type,url,preview_image_url",
}


class Rule(BaseModel):
    """One filtered-stream rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(min_length=1, max_length=1024)
    tag: str = ""


def x_retry_delay(error: SourceError, attempt: int) -> float:
    """X's documented reconnect policy: network linear 250 ms..16 s; HTTP 5 s..320 s doubling; 429 from 60 s."""
    if isinstance(error, HTTPStatusUnavailable):
        if error.status == 429:
            return max(error.retry_after_s or 0.0, min(60.0 * 2**attempt, 960.0))
        return min(5.0 * 2**attempt, 320.0)
    return min(0.25 * (attempt + 1), 16.0)


def parse_tweet(payload: dict[str, Any], source: str) -> Post:
    """A Post from a v2 stream payload ``{"data", "includes", "matching_rules"}``."""
    data = payload.get("data")
    if not isinstance(data, dict) or not data.get("id") or not isinstance(data.get("text"), str):
        raise SourceDataError("tweet payload without data.id/data.text", source_id=None)
    includes = payload.get("includes") or {}
    users = {u.get("id"): u for u in includes.get("users", []) if isinstance(u, dict)}
    user = users.get(data.get("author_id"), {})
    username = user.get("username") or str(data.get("author_id", ""))
    media = {m.get("media_key"): m for m in includes.get("media", []) if isinstance(m, dict)}
    keys = (data.get("attachments") or {}).get("media_keys", [])
    found = (media.get(k, {}) for k in keys)
    media_urls = tuple(u for m in found if (u := m.get("url") or m.get("preview_image_url")))
    repost = next((r.get("id") for r in data.get("referenced_tweets") or [] if r.get("type") == "retweeted"), None)
    created = data.get("created_at")
    return Post(
        source=source,
        source_id=str(data["id"]),
        observed_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else _now(),
        author=username,
        text=data["text"],
        lang=data.get("lang"),
        url=f"https://x.com/{username}/status/{data['id']}",
        media_urls=media_urls,
        geo=_geo(data.get("geo") or {}, includes.get("places", [])),
        repost_of=repost,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _geo(geo: dict[str, Any], places: list[dict[str, Any]]) -> tuple[float, float] | None:
    coords = (geo.get("coordinates") or {}).get("coordinates")
    if isinstance(coords, list) and len(coords) == 2:
        return float(coords[1]), float(coords[0])
    place = next((p for p in places if isinstance(p, dict) and p.get("id") == geo.get("place_id")), None)
    bbox = ((place or {}).get("geo") or {}).get("bbox")
    if isinstance(bbox, list) and len(bbox) == 4:
        return (bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2
    return None


class XStream(StreamingCollector, kind="x_stream"):
    """Yields posts from the filtered stream until cancelled."""

    class Config(StreamConfig):
        """Endpoint, token variable and rules."""

        base_url: str = "https://api.x.com"
        token_env: str = "X_BEARER_TOKEN"
        rules: list[Rule] = Field(default_factory=list)
        sync_rules: bool = True  # make the server's rules equal to ``rules`` on start
        stall_timeout_s: float = Field(default=30.0, gt=0)  # X sends a keep-alive every 20 s

    config: Config

    def __init__(self, config: Config, http: aiohttp.ClientSession, data_dir: Path) -> None:
        super().__init__(config, http, data_dir)
        self._filter = PostFilter(config.prefilter)
        self._rules_synced = False

    def retry_delay(self, error: SourceError, attempt: int) -> float | None:
        """X's own backoff policy."""
        return x_retry_delay(error, attempt)

    def _headers(self) -> dict[str, str]:
        token = secret(self.config.token_env)
        if not token:
            raise SourceUnavailable(f"environment variable {self.config.token_env} (X bearer token) is not set")
        return {"Authorization": f"Bearer {token}"}

    async def sync_rules(self) -> None:
        """Delete server rules that are not configured and add the missing ones."""
        cfg, headers = self.config, self._headers()
        url = cfg.base_url.rstrip("/") + RULES_PATH
        resp = await fetch(self.http, url, timeout_s=cfg.timeout_s, allow_private=cfg.allow_private, headers=headers)
        current = load_json_object(resp.body, "rules response").get("data") or []
        wanted = {r.value: r for r in cfg.rules}
        stale = [r["id"] for r in current if isinstance(r, dict) and r.get("value") not in wanted]
        missing = [r for v, r in wanted.items() if v not in {c.get("value") for c in current if isinstance(c, dict)}]
        for body in ({"delete": {"ids": stale}} if stale else None,
                     {"add": [r.model_dump() for r in missing]} if missing else None):
            if body is None:
                continue
            try:
                async with self.http.post(url, json=body, headers=headers,
                                          timeout=aiohttp.ClientTimeout(total=cfg.timeout_s)) as post:
                    if post.status >= 400:
                        raise HTTPStatusUnavailable(f"rules update: HTTP {post.status}", post.status)
            except aiohttp.ClientError as err:
                raise SourceUnavailable(f"rules update failed: {err}") from err
        log.info("x_rules_synced source=%s added=%d deleted=%d", self.name, len(missing), len(stale))
        self._rules_synced = True

    async def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Connect and yield posts; keep-alive lines mark the source alive."""
        cfg = self.config
        headers = self._headers()
        if cfg.sync_rules and not self._rules_synced:
            await self.sync_rules()
        url = cfg.base_url.rstrip("/") + STREAM_PATH
        async with open_stream(self.http, url, cfg, headers=headers, params=QUERY) as resp:
            self.alive()
            async for line in iter_lines(resp.content, cfg.max_line_bytes):
                if isinstance(line, OversizedLine):
                    await self.reject(line)
                    continue
                if not line.strip():
                    self.alive()
                    continue
                try:
                    post = self._post(line)
                except SourceDataError as err:
                    await self.reject(err)
                    continue
                if post is not None:
                    yield post, line

    def _post(self, line: bytes) -> Post | None:
        payload = load_json_object(line, "stream line")
        if "data" not in payload and "errors" in payload:
            log.warning("x_stream_message source=%s errors=%s", self.name, payload["errors"])
            return None
        try:
            post = parse_tweet(payload, self.name)
        except (TypeError, ValueError, AttributeError) as err:
            raise SourceDataError(f"unexpected tweet shape: {err}", raw=line) from err
        except SourceDataError as err:
            err.raw = line
            raise
        return self._filter(post)
