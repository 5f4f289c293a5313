"""How responses travel: gzip for text when the client accepts it, and cache rules for static assets.

Issue 18 §6: a phone on a slow link downloaded the public page and its scripts uncompressed and again on
every visit. Text-like bodies (HTML, JSON, GeoJSON, JS, CSS, XML, SVG) are gzipped when the client sends
``Accept-Encoding: gzip``; event streams (SSE) and media are never touched, since compressing a stream
buffers events and WAV or JPEG gain nothing. Static files may be kept by browsers: an hour and then
revalidated by ETag, or a year when the URL carries the content's version (``?v=``, added by
:func:`versioned`), since that URL changes whenever the file does. Authenticated API responses keep their own
``no-store``; this module never loosens a Cache-Control a handler set.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from functools import lru_cache
from pathlib import Path
from typing import Final

from aiohttp import web
from aiohttp.web_response import ContentCoding

STATIC_PREFIX: Final = "/static/"
MIN_SIZE: Final = 512  # smaller bodies gain less than the gzip header and the CPU cost
COMPRESSIBLE: Final = ("text/", "application/json", "application/geo+json", "application/javascript",
                       "application/atom+xml", "application/cap+xml", "application/xml", "image/svg+xml",
                       "application/manifest+json")
NEVER: Final = ("text/event-stream",)  # SSE: each event must leave at once
STATIC_CACHE: Final = "public, max-age=3600"  # then revalidated by ETag
VERSIONED_CACHE: Final = "public, max-age=31536000, immutable"
_STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
_STATIC_REF = re.compile(r'((?:src|href)=")/static/([^"?#]+)(")')


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it; ``*`` allows it)."""
    allowed: dict[str, float] = {}
    for part in (header or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            allowed[name.strip()] = q
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", 0.0))) > 0


def _content_type(request: web.Request, response: web.StreamResponse) -> str:
    """The response's media type; a file's is guessed from its name, as FileResponse will when it sends it."""
    if isinstance(response, web.FileResponse) and "Content-Type" not in response.headers:
        return mimetypes.guess_type(request.path)[0] or "application/octet-stream"
    return response.content_type


def _compressible(request: web.Request, response: web.StreamResponse) -> bool:
    if response.prepared or "Content-Encoding" in response.headers or response.status in (204, 304):
        return False
    if "Range" in request.headers:  # a byte range is of the file as stored, not of its gzip
        return False
    ctype = _content_type(request, response).lower()
    if ctype.startswith(NEVER) or not ctype.startswith(COMPRESSIBLE):
        return False
    if isinstance(response, web.Response) and not isinstance(response, web.FileResponse):
        body = response.body
        return isinstance(body, (bytes, bytearray)) and len(body) >= MIN_SIZE
    return isinstance(response, web.FileResponse) and not _static_not_modified(request)


def _static_not_modified(request: web.Request) -> bool:
    """Whether FileResponse will answer 304 (or might): gzip must stay off then, or the empty body of the 304
    gets a gzip trailer that breaks the connection. The ETag is FileResponse's: mtime_ns-size, in hex."""
    if not request.path.startswith(STATIC_PREFIX):
        return False
    if "If-Modified-Since" in request.headers and "If-None-Match" not in request.headers:
        return True  # rare (browsers send both once they have an ETag): serve uncompressed, stay correct
    wanted = request.headers.get("If-None-Match")
    if wanted is None:
        return False
    try:
        st = (_STATIC_DIR / request.path[len(STATIC_PREFIX):]).stat()
    except OSError:
        return False
    return wanted.strip() == "*" or f'"{st.st_mtime_ns:x}-{st.st_size:x}"' in wanted


def _add_vary(response: web.StreamResponse, name: str) -> None:
    vary = response.headers.get("Vary", "")
    if name.lower() not in (v.strip().lower() for v in vary.split(",")):
        response.headers["Vary"] = f"{vary}, {name}" if vary else name


@web.middleware
async def compress(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Gzip text-like responses for clients that accept it; leave streams, media and encoded bodies alone."""
    response = await handler(request)
    if _compressible(request, response):
        _add_vary(response, "Accept-Encoding")
        if accepts_gzip(request.headers.get("Accept-Encoding")):
            response.enable_compression(ContentCoding.gzip)
    return response


@web.middleware
async def static_cache(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Let browsers keep static files: a year for a versioned URL of the current content, else an hour."""
    response = await handler(request)
    if request.path.startswith(STATIC_PREFIX) and "Cache-Control" not in response.headers:
        wanted = request.query.get("v")
        name = request.path[len(STATIC_PREFIX):]
        current = asset_version(name) if wanted else None
        response.headers["Cache-Control"] = VERSIONED_CACHE if wanted and wanted == current else STATIC_CACHE
    return response



@lru_cache(maxsize=256)
def asset_version(name: str) -> str | None:
    """A short hash of a static file's content (None when there is no such file): the ``?v=`` of its URL."""
    path = (_STATIC_DIR / name).resolve()
    if not path.is_relative_to(_STATIC_DIR) or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def versioned(html: str) -> str:
    """``html`` with every ``src``/``href`` to ``/static/...`` given its content version (``?v=``)."""
    def add(m: re.Match[str]) -> str:
        version = asset_version(m.group(2))
        return m.group(0) if version is None else f"{m.group(1)}/static/{m.group(2)}?v={version}{m.group(3)}"

    return _STATIC_REF.sub(add, html)
