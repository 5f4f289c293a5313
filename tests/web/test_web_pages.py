"""HTML pages: command center, public page per language, login; escaping and security headers."""

from __future__ import annotations

import pytest
from web_factories import (
    HOSTILE,
    add_alert,
    add_gauge,
    add_incident,
    add_post,
    add_warning_report,
    login,
    warning_item,
)

from bosai.web.app import create_app
from bosai.web.render import render

LANGS = ["ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi"]
RAW_MARKERS = ("<script>window.__pwned", "<img src=x", 'onerror="')


def _seed_hostile(s):
    add_incident(s, title=HOSTILE, place_name=HOSTILE)
    add_post(s, HOSTILE, author=HOSTILE)
    add_gauge(s, "g1", 3.5, 3, add_incident(s).last_seen).name = HOSTILE
    add_warning_report(s, [warning_item("2420100", HOSTILE, HOSTILE, 3)])
    add_alert(s, areas=[{"code": "2420100", "name": HOSTILE}],
              slots={"kind": "incident", "hazard": "flood", "place": HOSTILE, "time": "2026-09-12T10:00:00+00:00"})


async def test_every_html_page_escapes_hostile_text(aiohttp_client, ctx):
    await ctx.store.write(_seed_hostile)
    client = await aiohttp_client(create_app(ctx))
    pages = ["/", "/login?error=1", "/public", *(f"/public/{lang}" for lang in LANGS)]
    for path in pages:
        resp = await client.get(path)
        text = await resp.text()
        assert resp.status == 200 and resp.content_type == "text/html", path
        for marker in RAW_MARKERS:
            assert marker not in text, (path, marker)
    public = await (await client.get("/public/en")).text()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in public  # shown as text, not dropped


async def test_command_center_page_is_offline_and_locked_down(aiohttp_client, ctx):
    client = await aiohttp_client(create_app(ctx))
    resp = await client.get("/")
    html = await resp.text()
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "img-src 'self' data: http://127.0.0.1:9" in csp
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "leaflet" in html.lower() and "https://" not in html.split("<footer")[0]
    assert 'name="csrf-token" content="' in html
    for asset in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/app.js",
                  "/static/map_common.js", "/static/vendor/leaflet/images/marker-icon.png", "/levels.css"):
        assert (await client.get(asset)).status == 200, asset
    css = await (await client.get("/levels.css")).text()
    assert ".lv-4{background:#AA00AA" in css and ".lv-5{background:#0C000C" in css
    assert (await client.get("/static/../auth.py")).status in (403, 404)


async def test_public_page_per_language(aiohttp_client, ctx):
    await ctx.store.write(lambda s: add_alert(s))
    client = await aiohttp_client(create_app(ctx))
    texts = {}
    for lang in LANGS:
        resp = await client.get(f"/public/{lang}")
        texts[lang] = await resp.text()
        assert resp.status == 200
        assert 'data-alert-id="jma-1-heavy_rain-issued"' in texts[lang] and "lv-3" in texts[lang]
        assert "出典：気象庁" in texts[lang] and "Geolonia" in texts[lang] and "accessible-text" in texts[lang]
        assert f'href="/feeds/{lang}.atom"' in texts[lang]
    assert len(set(texts.values())) == len(LANGS)
    assert 'lang="zh-Hans"' in texts["zh-Hans"] and 'lang="ja"' in texts["ja-easy"]
    assert (await client.get("/public/fr")).status == 404


def test_render_escapes_values_but_not_safe_fragments():
    from bosai.web.render import Safe

    out = render("login.html", csrf='"><script>', error=Safe("<b>ok</b>"))
    assert 'value="&quot;&gt;&lt;script&gt;"' in out and "<b>ok</b>" in out


@pytest.mark.parametrize("path", ["/api/posts?hazard=<x>", "/api/incidents?municipality=a%20b", "/api/shelters?near=a"])
async def test_bad_parameters_are_400_json(aiohttp_client, ctx, path):
    resp = await client_get(aiohttp_client, ctx, path)
    assert resp.status == 400 and "error" in await resp.json()


async def client_get(aiohttp_client, ctx, path):
    client = await aiohttp_client(create_app(ctx))
    await login(client, ctx.store)  # /api/posts answers 401 before it reads parameters without a login
    return await client.get(path)
