"""Headless chromium: both maps draw Mie's outline and the warning areas with no tiles and no internet.

Screenshots go to docs/screenshots/ (committed, issue 18 §3). Colours are checked on the rendered pixels at
municipal offices, so a map that draws nothing, or draws circles, fails.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from browser_support import ARGS, CHROMIUM, serve
from PIL import Image
from web_factories import add_alert, add_incident, add_post, add_warning_report, make_ctx, warning_item

from bosai.web.auth import create_operator
from publish.municipalities import by_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAND, SEA = (0xF6, 0xF4, 0xEE), (0xCF, 0xE2, 0xF0)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _seed(s) -> None:  # type: ignore[no-untyped-def]
    """Level 2 (四日市市) and 3 (津市) warnings, a level 4 forecast area (伊勢志摩), level 5 in 尾鷲市;
    twelve posts and three incidents close together in 桑名市, to be clustered."""
    add_warning_report(s, [warning_item("2420100", "津市", "大雨警報", 3),
                           warning_item("2420200", "四日市市", "大雨注意報", 2)])
    add_alert(s, "jma-2-landslide", event="土砂災害警戒情報", level=4, areas=[{"code": "240021", "name": "伊勢志摩"}])
    add_alert(s, "evac-owase", source="municipality", event="緊急安全確保", level=5,
              areas=[{"code": "24209", "name": "尾鷲市"}])
    for n in range(12):
        add_post(s, f"川があふれそう {n}", lat=35.06 + n * 0.002, lng=136.68 + n * 0.002, municipality="桑名市",
                 municipality_code="24205")
    for n in range(3):
        add_incident(s, title=f"桑名 冠水 {n}", lat=35.07 + n * 0.003, lng=136.69, municipality="桑名市",
                     municipality_code="24205", severity=2 + n)


def _mode(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    """The commonest colour in a 9x9 patch (labels and borders may cross the exact pixel)."""
    patch = [image.getpixel((x + dx, y + dy))[:3] for dx in range(-4, 5) for dy in range(-4, 5)]
    return Counter(patch).most_common(1)[0][0]


def _blend(hex_color: str, alpha: float = 0.7) -> tuple[int, int, int]:
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(alpha * c + (1 - alpha) * b) for c, b in zip(rgb, LAND, strict=True))  # type: ignore[return-value]


def _close(got: tuple[int, int, int], want: tuple[int, int, int], tol: int = 12) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(got, want, strict=True))


async def _pixels(page, map_id: str, points: dict[str, tuple[float, float]]) -> dict[str, tuple[int, int, int]]:
    """Colour of the rendered map at each (lat, lng), read from a screenshot of the map element."""
    shot = Image.open(io.BytesIO(await page.locator(f"#{map_id}").screenshot()))
    out = {}
    for name, (lat, lng) in points.items():
        xy = await page.evaluate(f"(p) => BW.maps['{map_id}'].map.latLngToContainerPoint(p)", [lat, lng])
        out[name] = _mode(shot, int(xy["x"]), int(xy["y"]))
    return out


async def test_offline_maps_draw_boundaries_and_coloured_warning_areas(sqlite_store, tmp_path):
    from playwright.async_api import async_playwright

    from publish.colors import LEVEL_COLORS

    (tmp_path / "var").mkdir()
    ctx = make_ctx(sqlite_store, tmp_path / "var", tile_url="")  # tiles off: nothing but this server
    await ctx.store.write(_seed)
    await create_operator(ctx.store, "ops", "s3cret-pass")
    runner, server = await serve(ctx)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    offices = {code: (m.lat, m.lng) for code in ("24201", "24202", "24203", "24209", "24216")
               if (m := by_code(code)) is not None}
    assert len(offices) == 5, "needs ../shared/data/mie/municipalities.csv"
    points = {**offices, "sea": (34.80, 136.75)}  # 伊勢湾
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            try:
                page = await browser.new_page(viewport={"width": 1400, "height": 900})
                errors: list[str] = []
                elsewhere: list[str] = []
                page.on("pageerror", lambda err: errors.append(str(err)))
                page.on("request", lambda r: None if r.url.startswith(server) else elsewhere.append(r.url))

                await page.goto(server + "/")  # posts and unverified incidents are for operators: log in
                await page.fill("#login-form input[name=username]", "ops")
                await page.fill("#login-form input[name=password]", "s3cret-pass")
                await page.click("#login-form button[type=submit]")
                await page.wait_for_selector("#triage-user", state="visible", timeout=10_000)
                await page.reload()
                await page.wait_for_selector('#map[data-boundaries="29"][data-warning-areas="4"]', timeout=15_000)
                await page.wait_for_selector(".marker-cluster", timeout=10_000)  # the 12 posts in one cluster
                await page.wait_for_selector(".cluster-badge", timeout=10_000)  # the incidents in another
                await page.wait_for_timeout(500)
                colours = await _pixels(page, "map", points)
                await page.screenshot(path=str(SCREENSHOTS / "offline-map-command-center.png"))
                assert _close(colours["24209"], _blend(LEVEL_COLORS[5])), colours  # 尾鷲市: level 5
                assert _close(colours["24203"], _blend(LEVEL_COLORS[4])), colours  # 伊勢市, in 伊勢志摩: 4
                assert _close(colours["24201"], _blend(LEVEL_COLORS[3])), colours  # 津市: 3
                assert _close(colours["24202"], _blend(LEVEL_COLORS[2])), colours  # 四日市市: 2
                assert _close(colours["24216"], LAND), colours  # 伊賀市: nothing in force
                assert _close(colours["sea"], SEA), colours
                assert elsewhere == [] and errors == []

                await page.goto(server + "/public/en")
                await page.wait_for_selector('#map[data-boundaries="29"][data-warning-areas="4"]', timeout=15_000)
                await page.wait_for_timeout(800)  # fitted to Mie's outline once loaded
                await page.locator("#map").screenshot(path=str(SCREENSHOTS / "offline-map-public.png"))
                # the shelters sit on the offices: hide them to read the area colours underneath
                await page.evaluate("""() => { var m = BW.maps.map.map;
                    m.eachLayer(function (l) { if (l instanceof L.CircleMarker) { m.removeLayer(l); } }); }""")
                await page.wait_for_timeout(300)
                colours = await _pixels(page, "map", points)
                assert _close(colours["24209"], _blend(LEVEL_COLORS[5])), colours
                assert _close(colours["24201"], _blend(LEVEL_COLORS[3])), colours
                assert _close(colours["sea"], SEA), colours
                assert elsewhere == [] and errors == []
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
