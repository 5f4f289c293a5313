"""HTTP for collectors: SSRF guard, bounded bodies, conditional GET, errors mapped to SourceError."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import urlsplit

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from kernel.errors import SourceDataError, SourceUnavailable
from kernel.netguard import parse_url, vet_url

DEFAULT_MAX_BYTES: Final = 5 * 1024 * 1024


class HTTPStatusUnavailable(SourceUnavailable):
    """The server answered with an error status (5xx, 429, 4xx): retry later."""

    def __init__(self, message: str, status: int, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Response:
    """A fully read, size-checked HTTP response."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any."""
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"').lower()
        return None


@dataclass
class Conditional:
    """Validators of the last 200 answer, replayed as If-None-Match / If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        """Request headers for the next conditional GET."""
        out = dict(self.extra)
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    def update(self, response: Response) -> None:
        """Remember the validators of a 200 answer."""
        self.etag = response.headers.get("ETag") or self.etag
        self.last_modified = response.headers.get("Last-Modified") or self.last_modified


async def check_url(url: str | URL, *, allow_private: bool) -> None:
    """kernel.netguard.vet_url for a source: a name that does not resolve is a source that is down."""
    try:
        await vet_url(url, allow_private=allow_private)
    except OSError as err:
        raise SourceUnavailable(f"cannot resolve {urlsplit(str(url)).hostname}: {err}") from err


def retry_after(headers: CIMultiDictProxy[str]) -> float | None:
    """Seconds from a Retry-After header (delta or HTTP date), if present and sane."""
    value = headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def raise_for_status(status: int, headers: CIMultiDictProxy[str], url: str) -> None:
    """Map error statuses and redirects (never followed: SSRF) to HTTPStatusUnavailable; 2xx and 304 pass."""
    if status >= 400 or (300 <= status < 400 and status != 304):
        raise HTTPStatusUnavailable(f"HTTP {status} from {url}", status, retry_after(headers))


async def read_limited(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """Read a body, refusing anything over ``max_bytes`` (declared or actual)."""
    declared = resp.content_length
    if declared is not None and declared > max_bytes:
        raise SourceDataError(f"body of {declared} bytes exceeds the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise SourceDataError(f"body exceeds the {max_bytes}-byte limit", raw=b"".join(chunks)[:4096])
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(
    http: aiohttp.ClientSession,
    url: str,
    *,
    timeout_s: float,
    allow_private: bool,
    headers: dict[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """GET ``url``; network faults, timeouts, truncated bodies and error statuses become SourceUnavailable."""
    target = parse_url(url)  # parsed once: the client connects to exactly what was checked
    await check_url(target, allow_private=allow_private)
    try:
        async with http.get(target, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout_s),
                            allow_redirects=False) as resp:
            raise_for_status(resp.status, resp.headers, url)
            body = b"" if resp.status == 304 else await read_limited(resp, max_bytes)
            return Response(resp.status, resp.headers, body, url)
    except TimeoutError as err:
        raise SourceUnavailable(f"timeout after {timeout_s}s fetching {url}") from err
    except aiohttp.ClientPayloadError as err:
        raise SourceUnavailable(f"truncated body from {url}: {err}") from err
    except aiohttp.ClientError as err:
        raise SourceUnavailable(f"cannot fetch {url}: {type(err).__name__}: {err}") from err


def decode_text(body: bytes, charset: str | None) -> str:
    """Decode text by its declared charset, else UTF-8, else the Japanese legacy encodings."""
    candidates = [c for c in (charset, "utf-8", "cp932", "euc_jp") if c]
    for encoding in candidates:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise SourceDataError("body is not valid text in UTF-8, Shift_JIS or EUC-JP", raw=body)
