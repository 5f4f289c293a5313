"""Headless chromium against a real server: live updates, operator triage, feeds, hostile posts."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from browser_support import ARGS, CHROMIUM, serve
from web_factories import HOSTILE, add_alert, add_incident, add_post

from bosai.web.auth import create_operator

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LANGS = ["ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install -y chromium; scripts/setup does it in CI)"),
]


@pytest.fixture
async def server(ctx):
    runner, url = await serve(ctx)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def page():
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            pg = await browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            pg.on("pageerror", lambda err: errors.append(str(err)))
            pg.errors = errors  # type: ignore[attr-defined]
            yield pg
        finally:
            await browser.close()


async def test_live_incident_triage_and_feeds(server, page, ctx):
    from kernel.store.snapshots import incident_record, post_record
    from publish.geojson import incidents_geojson, posts_geojson

    await create_operator(ctx.store, "ops", "s3cret-pass")
    await ctx.store.write(lambda s: add_post(s, HOSTILE, author="troll"))
    await page.goto(server + "/")
    await page.wait_for_selector("#live-status.on", timeout=10_000)
    # Flagged posts and unverified incidents are for operators: log in first; the page reopens its stream.
    await page.fill("#login-form input[name=username]", "ops")
    await page.fill("#login-form input[name=password]", "s3cret-pass")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#triage-user:not([hidden])", timeout=10_000)
    await page.wait_for_selector("#live-status.on", timeout=10_000)

    def new_incident(s):
        row = add_incident(s, title="雲出川 あふれそう", place_name="香良洲")
        return row.id, incidents_geojson([incident_record(row)])["features"][0]

    incident_id, feature = await ctx.store.write(new_incident)
    ctx.hub.publish("incident", feature)
    badge = f'.incident-badge[data-incident-id="{incident_id}"]'
    await page.wait_for_selector(badge, timeout=10_000)
    assert await page.get_attribute(badge, "data-status") == "unverified"

    hostile_post = await ctx.store.write(lambda s: post_record(add_post(s, HOSTILE, author="troll2")))
    hostile = posts_geojson([hostile_post])["features"][0]
    ctx.hub.publish("post", hostile)
    await page.wait_for_selector("#event-log .ev-post", timeout=10_000)
    assert "<script>window.__pwned=1</script>" in await page.text_content("#event-log .ev-post")
    await page.screenshot(path=str(ARTIFACTS / "command-center-live.png"))

    confirm = f'#triage-list li[data-incident-id="{incident_id}"] button[data-action="confirm"]'
    await page.wait_for_selector(confirm, timeout=10_000)
    await page.screenshot(path=str(ARTIFACTS / "command-center-triage.png"))
    await page.click(confirm)
    await page.wait_for_selector(f'{badge}[data-status="confirmed"]', timeout=10_000)
    await page.wait_for_selector(f'#alert-list li[data-alert-id="incident-{incident_id}"]', timeout=10_000)
    await page.screenshot(path=str(ARTIFACTS / "command-center-confirmed.png"))

    assert await page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []  # type: ignore[attr-defined]
    async with aiohttp.ClientSession() as http:
        for lang in LANGS:
            async with http.get(f"{server}/feeds/{lang}.atom") as resp:
                assert resp.status == 200
                assert f"incident-{incident_id}" in await resp.text(), lang


async def test_anonymous_command_center_shows_no_post_author_or_unverified_incident(server, page, ctx):
    """Issue 18 §4 in the browser: without a login the page gets confirmed incidents only, under a title made
    from hazard and place, never post text or an author handle, neither at load nor over the live stream."""
    from kernel.store.snapshots import incident_record, post_record
    from publish.geojson import incidents_geojson, posts_geojson

    secrets = ("yamada_taro", "suzuki_h", "kuroneko88", "家の前まで水", "裏山が崩れ", "誰か助けて")

    def seed(s):
        confirmed = add_incident(s, title="@yamada_taro 家の前まで水がきてる", status="confirmed")
        add_incident(s, title="@suzuki_h 裏山が崩れた", hazard="landslide", lat=34.35, lng=136.2)
        add_post(s, "@yamada_taro 家の前まで水がきてる", author="yamada_taro", incident_id=confirmed.id)
        return confirmed.id

    confirmed_id = await ctx.store.write(seed)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    await page.goto(server + "/")
    await page.wait_for_selector(f'.incident-badge[data-incident-id="{confirmed_id}"]', timeout=10_000)
    await page.wait_for_selector("#live-status.on", timeout=10_000)

    def live_rows(s):
        post = add_post(s, "kuroneko88: 誰か助けて", author="kuroneko88", lat=34.1, lng=136.1)
        unverified = add_incident(s, title="kuroneko88: 誰か助けて", lat=34.1, lng=136.1)
        later = add_incident(s, title="@yamada_taro 家の前まで水 2", status="confirmed", lat=34.95, lng=136.6)
        return (posts_geojson([post_record(post)])["features"][0],
                incidents_geojson([incident_record(unverified)])["features"][0],
                incidents_geojson([incident_record(later)])["features"][0], later.id)

    post, unverified, later, later_id = await ctx.store.write(live_rows)
    ctx.hub.publish("post", post)
    ctx.hub.publish("incident", unverified)
    ctx.hub.publish("incident", later)
    await page.wait_for_selector(f'.incident-badge[data-incident-id="{later_id}"]', timeout=10_000)
    await page.wait_for_selector("#map[data-boundaries]", timeout=10_000)  # the first fit has stopped zooming
    await page.click(f'.incident-badge[data-incident-id="{confirmed_id}"]')
    await page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
    await page.screenshot(path=str(ARTIFACTS / "command-center-anonymous.png"))

    html = await page.content()  # the whole DOM, attributes (marker titles) and the event log included
    for secret in secrets:
        assert secret not in html, secret
    assert "浸水・冠水・河川氾濫（大門）" in await page.text_content(".leaflet-popup-content")
    unverified_id = unverified["properties"]["id"]
    assert await page.locator(f'.incident-badge[data-incident-id="{unverified_id}"]').count() == 0
    assert not any("/api/posts" in url for url in requested)
    assert await page.evaluate("fetch('/api/posts').then(function (r) { return r.status; })") == 401
    assert page.errors == []  # type: ignore[attr-defined]

    await page.goto(server + "/public/ja")
    public_html = await page.content()
    for secret in secrets:
        assert secret not in public_html, secret


async def test_public_page_renders_without_script_injection(server, page, ctx):
    await ctx.store.write(lambda s: add_alert(s, areas=[{"code": "2420100", "name": HOSTILE}]))
    await page.goto(server + "/public/en")
    await page.wait_for_selector("#map canvas", state="attached", timeout=10_000)  # shelters (canvas renderer)
    await page.screenshot(path=str(ARTIFACTS / "public-en.png"), full_page=True)
    assert await page.evaluate("typeof window.__pwned") == "undefined"
    assert "<script>window.__pwned=1</script>" in await page.text_content("article.alert")
    assert page.errors == []  # type: ignore[attr-defined]


async def test_public_page_follows_a_rise_and_fall_advisory_warning_lifted(server, page, ctx):
    """注意報 -> 警報 -> 解除 through the relay: the page lists only what is in force; the archive keeps all."""
    from datetime import timedelta

    from web_factories import NOW, add_warning_report

    from publish.alerts import alerts_from_report

    def telegram(minutes: int, kind: str | None, code: str | None, status: str, last: tuple[str, str] | None):
        item = {"type": "warning", "scope": "気象警報・注意報（市町村等）", "area_code": "2420200",
                "area_name": "四日市市", "kind_name": kind, "kind_code": code, "status": status,
                "last_kind_name": last[0] if last else None, "last_kind_code": last[1] if last else None}

        def write(s):
            report = add_warning_report(s, [item], at=NOW + timedelta(minutes=minutes))
            return [a.id for a in alerts_from_report(s, report, areas=["240000"])]
        return write

    async def shown() -> list[tuple[str | None, str]]:
        await page.goto(server + "/public/en")
        cards = await page.query_selector_all("#alerts article.alert")
        return [(await c.get_attribute("data-alert-id"), await c.inner_text()) for c in cards]

    [advisory] = await ctx.store.write(telegram(0, "大雨注意報", "10", "発表", None))
    cards = await shown()
    assert [c[0] for c in cards] == [advisory] and "Heavy Rain Advisory" in cards[0][1]
    await page.screenshot(path=str(ARTIFACTS / "public-rise-1-advisory.png"), full_page=True)

    [warning] = await ctx.store.write(telegram(10, "大雨警報", "03", "発表", ("大雨注意報", "10")))
    cards = await shown()
    assert [c[0] for c in cards] == [warning] and "Heavy Rain Warning" in cards[0][1]  # the advisory is gone
    await page.screenshot(path=str(ARTIFACTS / "public-rise-2-warning.png"), full_page=True)

    [cancel] = await ctx.store.write(telegram(20, "解除", "00", "解除", ("大雨警報", "03")))
    assert await shown() == []
    assert await page.is_visible("#alerts p.empty")
    await page.screenshot(path=str(ARTIFACTS / "public-rise-3-lifted.png"), full_page=True)

    await page.goto(server + "/public/en/archive")
    archived = [await c.get_attribute("data-alert-id") for c in await page.query_selector_all("article.alert")]
    assert archived == [cancel, warning, advisory]
    assert await page.locator("article.alert.past").count() == 3
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server}/api/alerts?active=1") as resp:
            assert await resp.json() == []
        async with http.get(f"{server}/feeds/en.atom") as resp:
            assert warning not in await resp.text() and advisory not in await resp.text()
    assert page.errors == []  # type: ignore[attr-defined]
