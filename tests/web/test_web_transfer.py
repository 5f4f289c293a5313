"""Issue 18 §6: responses travel compressed and static assets may be cached; streams, media and operators'
data keep what they need (no gzip for SSE or WAV, no-store on authenticated API answers)."""

from __future__ import annotations

import asyncio
import gzip
import re
from typing import Any

import pytest
from web_factories import add_alert, login

from bosai.web.app import create_app
from bosai.web.transfer import STATIC_CACHE, VERSIONED_CACHE, accepts_gzip, asset_version, versioned

GZIP = {"Accept-Encoding": "gzip, deflate"}
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
async def client(aiohttp_client, ctx):
    """A client that shows bodies as they travel (no automatic gunzip)."""
    ctx.store.submit(lambda s: add_alert(s)).result(10)
    return await aiohttp_client(create_app(ctx), auto_decompress=False)


@pytest.mark.parametrize(("header", "ok"), [("gzip, deflate, br", True), ("GZIP;q=0.5", True), ("*", True),
                                            ("gzip;q=0", False), ("identity", False), ("", False),
                                            ("br, *;q=0", False), ("deflate, gzip;q=bad", False)])
def test_accept_encoding_is_read_with_its_weights(header, ok) -> None:
    assert accepts_gzip(header) is ok


@pytest.mark.parametrize("path", ["/public/pt", "/", "/static/app.js", "/static/app.css",
                                  "/static/vendor/leaflet/leaflet.js", "/feeds/en.atom", "/api/alerts"])
async def test_text_is_gzipped_only_for_clients_that_accept_it(client, path) -> None:
    zipped = await client.get(path, headers=GZIP)
    assert zipped.status == 200 and zipped.headers.get("Content-Encoding") == "gzip", path
    assert "Accept-Encoding" in zipped.headers["Vary"]
    body = gzip.decompress(await zipped.read())
    plain = await client.get(path, headers=PLAIN)
    assert plain.status == 200 and "Content-Encoding" not in plain.headers
    raw = await plain.read()
    if path.startswith("/static/"):  # pages and feeds carry times and tokens that differ per request
        assert body == raw
    assert len(body) > 0 and len(await zipped.read()) < len(raw)


async def test_the_public_page_shrinks_at_least_twice(client) -> None:
    zipped = await (await client.get("/public/vi", headers=GZIP)).read()
    raw = await (await client.get("/public/vi", headers=PLAIN)).read()
    assert len(zipped) * 2.5 < len(raw), (len(zipped), len(raw))  # 10.9 KB -> 3.6 KB with no data


async def test_live_stream_and_speech_are_never_gzipped(client, ctx) -> None:
    live = await client.get("/live", headers=GZIP)
    assert live.status == 200 and live.content_type == "text/event-stream"
    assert "Content-Encoding" not in live.headers and live.headers["Cache-Control"] == "no-cache"
    assert (await asyncio.wait_for(live.content.readuntil(b"\n\n"), 5)).startswith(b"retry:")  # plain text
    live.close()
    cap = await client.get("/api/alerts/jma-1-heavy_rain-issued/text?lang=en", headers=GZIP)
    assert "Content-Encoding" not in cap.headers  # a few hundred bytes: gzip would not pay


async def test_static_assets_are_cached_and_revalidated(client) -> None:
    first = await client.get("/static/app.js", headers=GZIP)
    assert first.headers["Cache-Control"] == STATIC_CACHE and "max-age=3600" in STATIC_CACHE
    etag = first.headers["ETag"]
    again = await client.get("/static/app.js", headers={**GZIP, "If-None-Match": etag})
    assert again.status == 304 and await again.read() == b""
    assert again.headers["Cache-Control"] == STATIC_CACHE and "Content-Encoding" not in again.headers
    after = await client.get("/static/app.js", headers=GZIP)  # the connection is still sound after the 304
    assert after.status == 200 and after.headers["Content-Encoding"] == "gzip"
    changed = await client.get("/static/app.js", headers={**GZIP, "If-None-Match": '"0-0"'})
    assert changed.status == 200 and changed.headers["Content-Encoding"] == "gzip"


async def test_pages_link_static_files_by_content_version(client) -> None:
    for page in ("/", "/public/en"):
        html = await (await client.get(page, headers=PLAIN)).text()
        links = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links), (page, links)
    url = "/static/map_common.js?v=" + str(asset_version("map_common.js"))
    assert (await client.get(url)).headers["Cache-Control"] == VERSIONED_CACHE == "public, max-age=31536000, immutable"
    stale = await client.get("/static/map_common.js?v=000000000000")  # an old page: this content is not that one
    assert stale.status == 200 and stale.headers["Cache-Control"] == STATIC_CACHE


def test_versioned_leaves_other_links_and_missing_files_alone() -> None:
    html = '<a href="/public/en">x</a><script src="/static/nope.js"></script><link href="/static/app.css">'
    out = versioned(html)
    assert '<a href="/public/en">' in out and 'src="/static/nope.js"' in out
    assert re.search(r'href="/static/app\.css\?v=[0-9a-f]{12}"', out)
    assert asset_version("../app.py") is None  # nothing outside the static folder


async def test_no_store_stays_where_a_session_is_in_the_answer(client, ctx) -> None:
    public = await client.get("/public/en")
    assert public.headers["Cache-Control"] == "no-cache"  # the same for everyone: revalidate, may be kept
    assert (await client.get("/api/alerts")).headers["Cache-Control"] == "no-cache"
    assert (await client.get("/")).headers["Cache-Control"] == "no-store"  # carries a CSRF token
    assert (await client.get("/api/session")).headers["Cache-Control"] == "no-store"
    await login(client, ctx.store)
    posts: Any = await client.get("/api/posts", headers=GZIP)
    assert posts.status == 200 and "no-store" in posts.headers["Cache-Control"]
