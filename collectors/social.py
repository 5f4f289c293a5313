"""What the social-stream collectors share: config keys, the stream connection, the prefilter step."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import aiohttp
from pydantic import Field

from collectors.fetch import check_url, raise_for_status
from collectors.prefilter import Prefilter, PrefilterConfig
from kernel.config import SourceConfig
from kernel.errors import SourceDataError, SourceUnavailable
from kernel.netguard import parse_url
from kernel.records import Post


class StreamConfig(SourceConfig):
    """Keys of every social stream source."""

    prefilter: PrefilterConfig = PrefilterConfig()
    max_line_bytes: int = Field(default=1024 * 1024, ge=1024)  # longer lines are dropped, never buffered
    stall_timeout_s: float = Field(default=60.0, gt=0)  # no byte (not even a heartbeat) this long: reconnect


@asynccontextmanager
async def open_stream(
    http: aiohttp.ClientSession,
    url: str,
    cfg: StreamConfig,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> AsyncIterator[aiohttp.ClientResponse]:
    """Connect to a long-lived HTTP stream; statuses and network faults become SourceUnavailable."""
    target = parse_url(url)  # parsed once: the client connects to exactly what was checked
    await check_url(target, allow_private=cfg.allow_private)
    timeout = aiohttp.ClientTimeout(total=None, connect=cfg.timeout_s, sock_read=cfg.stall_timeout_s)
    try:
        async with http.get(target, headers=headers, params=params, timeout=timeout, allow_redirects=False) as resp:
            raise_for_status(resp.status, resp.headers, url)
            yield resp
    except TimeoutError as err:
        raise SourceUnavailable(f"stream {url} stalled for {cfg.stall_timeout_s}s") from err
    except aiohttp.ClientError as err:
        raise SourceUnavailable(f"stream {url} failed: {type(err).__name__}: {err}") from err


def load_json_object(line: bytes, what: str) -> dict[str, Any]:
    """Parse one JSON object or raise SourceDataError keeping the line."""
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:  # RecursionError: nested too deep
        raise SourceDataError(f"malformed {what}: {err}", raw=line) from err
    if not isinstance(value, dict):
        raise SourceDataError(f"{what} is not a JSON object", raw=line)
    return value


class PostFilter:
    """Adds matched terms to a post and drops unmatched ones when configured to."""

    def __init__(self, config: PrefilterConfig) -> None:
        self._prefilter = Prefilter(config.terms)
        self._drop = config.drop_unmatched

    def __call__(self, post: Post) -> Post | None:
        """The post with ``matched_terms`` set, or None when it should be dropped."""
        matched = self._prefilter.match(post.text)
        if self._drop and not matched:
            return None
        return replace(post, matched_terms=matched)
