"""Issue 18 §5: axe-core in headless Chromium over the command center and the public page in all nine
languages, with alerts, warnings, incidents and posts on them; no serious or critical violation is allowed.

axe-core is vendored for the tests only (tests/web/vendor/axe.min.js, MPL-2.0, from ``npm pack axe-core``);
the pages' CSP allows only their own scripts, so the test context bypasses CSP to inject it. Every page's
full result (all impacts) is written to test-artifacts/axe-results.json for the record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import ARGS, CHROMIUM, serve
from web_factories import add_alert, add_incident, add_post, add_warning_report, warning_item

from bosai.web.auth import create_operator

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LANGS = ["ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi"]
BLOCKING = ("serious", "critical")
# Keyboard-reachable map markers: the queue, not the markers, is what the keyboard works through.
FOCUSABLE_MARKERS = ".leaflet-marker-icon:not([tabindex='-1']), .leaflet-interactive[tabindex]:not([tabindex='-1'])"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _seed(s: Any) -> None:
    """What a resident and an operator see on a busy day: warnings, alerts, incidents, flagged posts."""
    add_warning_report(s, [warning_item("2420100", "津市", "大雨警報", 3),
                           warning_item("2420200", "四日市市", "大雨注意報", 2)])
    add_alert(s)
    add_alert(s, "jma-2-landslide", event="土砂災害警戒情報", level=4, areas=[{"code": "240021", "name": "伊勢志摩"}])
    add_alert(s, "evac-owase", source="municipality", event="緊急安全確保", level=5,
              areas=[{"code": "24209", "name": "尾鷲市"}])
    for n in range(3):
        add_post(s, f"川があふれそう {n}", lat=35.06 + n * 0.01, lng=136.68, municipality="桑名市",
                 municipality_code="24205")
        add_incident(s, title=f"桑名 冠水 {n}", lat=35.07 + n * 0.01, lng=136.69, municipality="桑名市",
                     municipality_code="24205", severity=2 + n)


async def _axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as loaded (WCAG 2.x A/AA and best practices)."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
             "targets": [n["target"] for n in v["nodes"][:5]]} for v in result["violations"]]


async def test_no_serious_or_critical_axe_violations(ctx) -> None:
    from playwright.async_api import async_playwright

    await ctx.store.write(_seed)
    await create_operator(ctx.store, "ops", "s3cret-pass")
    runner, url = await serve(ctx)
    base = url
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            context = await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            pages = [("/", "/"), *((f"/public/{lang}", f"/public/{lang}") for lang in LANGS)]
            for name, path in pages:
                await page.goto(base + path)
                await page.wait_for_selector("#map[data-boundaries]", timeout=15_000)
                await page.wait_for_selector("[data-speech]", timeout=10_000) if not path.endswith("/tl") else None
                report[name] = await _axe(page)
                assert await page.locator(FOCUSABLE_MARKERS).count() == 0, f"{name}: a map marker is in the tab order"
            # The command center as an operator, with the triage queue filled.
            await page.goto(base + "/")
            await page.fill("#login-form input[name=username]", "ops")
            await page.fill("#login-form input[name=password]", "s3cret-pass")
            await page.click("#login-form button[type=submit]")
            await page.wait_for_selector("#triage-user:not([hidden])", timeout=10_000)
            await page.wait_for_selector("#triage-list li", timeout=10_000)
            report["/ (operator)"] = await _axe(page)
            assert await page.locator(FOCUSABLE_MARKERS).count() == 0, "operator view: a marker is in the tab order"
            await browser.close()
    finally:
        await runner.cleanup()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    blocking = {name: [v for v in found if v["impact"] in BLOCKING] for name, found in report.items()}
    assert not any(blocking.values()), json.dumps({k: v for k, v in blocking.items() if v}, ensure_ascii=False,
                                                  indent=1)
    assert len(report) == 1 + len(LANGS) + 1


async def test_play_button_fetches_the_alerts_speech(ctx) -> None:
    """The public page's play button loads the alert read aloud in the page's language (a WAV from the server)."""
    from playwright.async_api import async_playwright
    from required_tools import require_tool

    require_tool("espeak-ng")
    await ctx.store.write(lambda s: add_alert(s))
    runner, url = await serve(ctx)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            page = await browser.new_page()
            await page.goto(f"{url}/public/vi")
            button = page.locator('article[data-alert-id="jma-1-heavy_rain-issued"] button[data-speech]')
            assert await button.inner_text() == "▶︎ Nghe"
            async with page.expect_response(lambda r: "/speech.wav" in r.url) as got:
                await button.click()
            resp = await got.value
            assert resp.status in (200, 206) and resp.headers["content-type"] == "audio/wav"  # media asks ranges
            assert resp.headers["x-speech-engine"] == "espeak-ng" and "lang=vi" in resp.url
            assert await button.get_attribute("aria-pressed") in ("true", "false")  # playing, or done already
            await browser.close()
    finally:
        await runner.cleanup()
