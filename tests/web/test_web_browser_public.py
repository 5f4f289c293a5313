"""Headless chromium on a phone-sized screen (390×844): every section of the public site in ja and pt.

Screenshots of each section go to docs/screenshots/ (committed, issue 18 §2). The same run checks the
on-demand shelters (geolocation only after the button), the live update of an evacuation order, and
measures the page weight of the first load (raw and gzip) into test-artifacts/public-weight.json.
"""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from browser_support import ARGS, CHROMIUM, serve
from PIL import Image
from test_web_public_sections import SOURCES, _seed
from web_factories import NOW, make_ctx

from bosai.web.places import MieData
from kernel.store.evacuations import set_shelter_status
from kernel.store.models import CameraImageRow, EvacuationRow

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "test-artifacts"
SECTIONS = ("alerts", "warnings", "evacuations", "shelters", "rivers", "cameras", "quake")
PHONE = {"width": 390, "height": 844}
HOME = {"latitude": 34.7303, "longitude": 136.5086}  # 津市役所

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _stills(var: Path) -> dict[str, str]:
    """A river-coloured still per camera, inside the data folder (the only place stills are served from)."""
    out = {}
    for name, colour in (("cam-fresh", (90, 120, 140)), ("cam-old", (120, 110, 90))):
        path = var / "cameras" / name / "still.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (320, 180), colour).save(path, "JPEG", quality=70)
        out[name] = str(path)
    return out


def _open_shelters(mie: MieData) -> list[str]:
    return [s.id for s in mie.find_shelters(municipality="24201", limit=4)]


async def _weight(server: str, urls: list[str]) -> dict[str, Any]:
    """Bytes of each first-load resource: raw, and gzip as a compressing server would send it."""
    files, total_raw, total_gz = [], 0, 0
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        for url in urls:
            async with http.get(url, headers={"Accept-Encoding": "identity"}) as resp:
                body = await resp.read()
            raw = len(body)
            zipped = raw if resp.headers.get("Content-Encoding") == "gzip" else len(gzip.compress(body, 6))
            if resp.headers.get("Content-Encoding") == "gzip":
                raw = len(gzip.decompress(body))
            files.append({"url": url.removeprefix(server), "raw": raw, "gzip": zipped,
                          "type": resp.headers.get("Content-Type", "")})
            total_raw, total_gz = total_raw + raw, total_gz + zipped
    return {"files": files, "raw": total_raw, "gzip": total_gz}


async def test_public_sections_on_a_phone_in_ja_and_pt(web_store, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    var = tmp_path / "var"
    var.mkdir()
    ctx = make_ctx(web_store, var, tile_url="", extra={"sources": SOURCES})  # offline: nothing but this server
    stills = _stills(var)
    shelter_ids = _open_shelters(MieData())
    assert len(shelter_ids) >= 3, "needs ../shared/data/mie/shelters.csv"

    def seed(s: Any) -> None:
        _seed(s)
        for row in s.query(CameraImageRow):
            row.image_path = stills[row.camera_id]
        for n, sid in enumerate(shelter_ids[:3]):
            set_shelter_status(s, shelter_id=sid, municipality_code="24201", status="full" if n == 2 else "open",
                               actor="operator:ops", at=NOW - timedelta(minutes=40))

    await ctx.store.write(seed)
    runner, server = await serve(ctx)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            try:
                for lang in ("ja", "pt"):
                    context = await browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                                        has_touch=True, locale=lang, geolocation=HOME)
                    page = await context.new_page()
                    errors: list[str] = []
                    elsewhere: list[str] = []
                    first_load: list[str] = []
                    page.on("pageerror", lambda err, errors=errors: errors.append(str(err)))
                    page.on("request", lambda r, e=elsewhere, f=first_load: f.append(r.url)
                            if r.url.startswith(server) else e.append(r.url))
                    await page.goto(f"{server}/public/{lang}")
                    await page.wait_for_selector('#map[data-boundaries="29"][data-warning-areas]', timeout=20_000)
                    await page.wait_for_selector('#s-shelters[data-open-shelters="3"]', timeout=10_000)
                    await page.wait_for_selector("body[data-live=on]", timeout=10_000)
                    for _ in range(50):  # wait_for_function evaluates a string, which the page's CSP forbids
                        if await page.evaluate("() => Array.from(document.images).every((i) => i.complete)"):
                            break
                        await page.wait_for_timeout(200)
                    loaded = [u for u in first_load if "/live" not in u]
                    assert not any("/api/shelters" in u and "near=" in u for u in loaded)  # no location asked yet
                    if lang == "pt":
                        weight = await _weight(server, list(dict.fromkeys(loaded)))
                        (ARTIFACTS / "public-weight.json").write_text(json.dumps(weight, indent=1))

                    for section in SECTIONS:  # the shelters last: after the reader asks for the nearest ones
                        if section == "shelters":
                            continue
                        await page.locator(f"#s-{section}").scroll_into_view_if_needed()
                        await page.wait_for_timeout(300)  # lazy camera stills load once in view
                        await page.locator(f"#s-{section}").screenshot(
                            path=str(SCREENSHOTS / f"public-{lang}-{section}.png"))
                    await context.grant_permissions(["geolocation"])
                    await page.click("#near-me")
                    await page.wait_for_selector("#near-list li.shelter .distance", timeout=10_000)
                    assert await page.locator("#near-list li.shelter").count() == 3
                    await page.wait_for_timeout(400)
                    await page.locator("#s-shelters").screenshot(path=str(SCREENSHOTS / f"public-{lang}-shelters.png"))
                    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

                    text = await page.text_content("#s-shelters")
                    assert "inland_flooding" not in (text or "") and "storm_surge" not in (text or "")
                    if lang == "pt":
                        listed = await page.text_content('[data-section="warnings"]')
                        assert "大雨警報" not in (listed or "") and "Alerta" in (listed or "")

                    # a new order reaches the open page within 2 s of its live event
                    def order(s: Any, lang: str = lang) -> dict[str, Any]:
                        code, name = ("24215", "志摩市") if lang == "ja" else ("24214", "いなべ市")
                        row = EvacuationRow(municipality_code=code, municipality=name, towns=[], level=5,
                                            hazard="landslide", issued_at=NOW, updated_at=NOW, lifted_at=None,
                                            source="operator", sender="ops", alert_id=None)
                        s.add(row)
                        s.flush()
                        return {"id": row.id, "municipality_code": row.municipality_code}

                    event = await ctx.store.write(order)
                    ctx.hub.publish("evacuation", event)
                    await page.wait_for_selector(
                        f'[data-section="evacuations"] [data-municipality="{event["municipality_code"]}"]',
                        timeout=2_000)
                    assert elsewhere == [] and errors == [], (elsewhere, errors)
                    await context.close()
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
