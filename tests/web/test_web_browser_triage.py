"""Two operators work the triage queue in headless chromium (issue 19 §2, §3): order, filters, confirm, dismiss,
undo and split without a reload, a reason that survives the other operator's action, keyboard-only triage,
and screenshots of the three layouts."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest
from browser_support import ARGS, CHROMIUM, serve
from web_factories import NOW, add_alert, add_camera, add_gauge, add_incident, add_post

from bosai.web.auth import create_operator
from kernel.store.models import AlertRow, IncidentRow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
GRACE_S = 2.0

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture
async def server(ctx):
    web_cfg = ctx.config.web.model_copy(update={"confirm_grace_s": GRACE_S})
    app_ctx = dataclasses.replace(ctx, config=ctx.config.model_copy(update={"web": web_cfg}))
    runner, url = await serve(app_ctx)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


def _seeder(data_dir: Path):
    still = data_dir / "cameras" / "cam-anou" / "a.jpg"
    still.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    Image.new("RGB", (160, 120), (96, 125, 139)).save(still)

    def seed(s) -> dict[str, int]:
        return _seed(s, str(still))
    return seed


def _seed(s, still: str) -> dict[str, int]:
    """A typhoon afternoon: a level-4 rescue among level-4 outages, floods, a road, a stale report."""
    ids: dict[str, int] = {}
    add_gauge(s, "2499000104", 3.31, 2, NOW)
    add_camera(s, "cam-anou", still)
    add_alert(s)
    add_alert(s, "jma-2-heavy_rain-cancel", msg_type="Cancel", sent=NOW + timedelta(minutes=5), level=None)
    ids["outage"] = add_incident(s, hazard="power_water_outage", severity=4, place_name="白塚", last_seen=NOW).id
    ids["rescue"] = add_incident(s, hazard="casualty_rescue", severity=4, place_name="江島台一丁目",
                                 last_seen=NOW - timedelta(minutes=40), municipality="鈴鹿市",
                                 municipality_code="24207").id
    ids["flood"] = add_incident(s, severity=3, place_name="大門", post_count=3,
                                corroborated_by=["gauge:2499000104", "camera:cam-anou"]).id
    for i in range(5):
        ids[f"flood{i}"] = add_incident(s, severity=3, place_name=f"町{i}",
                                        last_seen=NOW - timedelta(minutes=10 + i)).id
    ids["road"] = add_incident(s, hazard="road_blocked", severity=2, place_name="国道23号 江戸橋").id
    ids["stale"] = add_incident(s, hazard="landslide", severity=3, place_name="美杉",
                                last_seen=NOW - timedelta(hours=9)).id
    for key, text, score in (("flood", "大門の交差点が冠水して車が動けない", 0.93),
                             ("flood", "南玉垣町で孤立している人がいる", 0.61), ("flood", "大門 道路が川みたい", 0.52),
                             ("rescue", "江島台一丁目 家に閉じ込められた 助けて", 0.97),
                             ("outage", "白塚で停電", 0.88), ("road", "国道23号 江戸橋 通行止め", 0.74)):
        add_post(s, text, incident_id=ids[key], score=score)
    for i in range(5):
        add_post(s, f"町{i}で冠水", incident_id=ids[f"flood{i}"], score=0.7)
    return ids


async def _login(page, server: str, name: str) -> None:
    await page.goto(server + "/")
    await page.evaluate("window.__noReload = 1")
    await page.fill("#login-form input[name=username]", name)
    await page.fill("#login-form input[name=password]", "s3cret-pass")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#triage-list li.triage-item", timeout=10_000)
    await page.wait_for_selector("#live-status.on", timeout=10_000)


async def _until(page, expr: str, arg: object = None, timeout_s: float = 10.0) -> None:
    """Poll a JS function until it is true (wait_for_function evaluates strings, which the page's CSP forbids)."""
    for _ in range(int(timeout_s / 0.05)):
        if await page.evaluate(expr, arg):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {expr} ({arg})")


async def _card_ids(page) -> list[int]:
    return [int(i) for i in await page.eval_on_selector_all(
        "#triage-list > li.triage-item", "els => els.map(e => e.getAttribute('data-incident-id'))")]


async def _gone(page, incident: int) -> float:
    """Milliseconds from now until the card of ``incident`` is off the list."""
    return await page.evaluate("""id => new Promise(resolve => {
        const t0 = performance.now();
        const check = () => document.querySelector(`#triage-list li[data-incident-id="${id}"]`)
            ? requestAnimationFrame(check) : resolve(performance.now() - t0);
        check(); })""", incident)


async def _timed_click(page, selector: str, appear: str | None = None, gone: int | None = None) -> float:
    """Click ``selector`` and return the ms until ``appear`` is in the page or card ``gone`` is off the list."""
    return await page.evaluate("""([sel, appear, gone]) => new Promise(resolve => {
        const t0 = performance.now();
        document.querySelector(sel).click();
        const done = () => appear ? document.querySelector(appear)
            : !document.querySelector(`#triage-list li[data-incident-id="${gone}"]`);
        const check = () => done() ? resolve(performance.now() - t0) : requestAnimationFrame(check);
        check(); })""", [selector, appear, gone])


async def _status(ctx, incident: int) -> str:
    return await ctx.store.read(lambda s: s.get(IncidentRow, incident).status)


async def test_two_operators_triage_without_reload(server, browser, ctx):
    await create_operator(ctx.store, "ops", "s3cret-pass")
    await create_operator(ctx.store, "ops2", "s3cret-pass")
    ids = await ctx.store.write(_seeder(Path(ctx.config.service.data_dir)))
    timings: dict[str, float] = {}
    one = await (await browser.new_context(viewport={"width": 1600, "height": 1000})).new_page()
    two = await (await browser.new_context(viewport={"width": 1366, "height": 768})).new_page()
    errors: list[str] = []
    for pg in (one, two):
        pg.on("pageerror", lambda err: errors.append(str(err)))
        await _login(pg, server, "ops" if pg is one else "ops2")
    await one.select_option("#f-since", "")  # the whole day: the stale report too
    await two.select_option("#f-since", "")
    await _until(one, f"() => document.querySelectorAll('#triage-list > li.triage-item').length === {len(ids)}")
    await _until(two, f"() => document.querySelectorAll('#triage-list > li.triage-item').length === {len(ids)}")

    # Order: severity, then urgency (the rescue before the outage of the same level), then time; stale last.
    order = await _card_ids(one)
    assert order[:2] == [ids["rescue"], ids["outage"]] and order[-1] == ids["stale"]
    severities = [int(x) for x in await one.eval_on_selector_all(
        "#triage-list > li.triage-item:not(.stale)", "els => els.map(e => e.dataset.severity)")]
    assert severities == sorted(severities, reverse=True)
    assert await one.locator(f'#triage-list li[data-incident-id="{ids["stale"]}"].stale').count() == 1
    card = one.locator(f'#triage-list li[data-incident-id="{ids["flood"]}"]')
    text = await card.inner_text()
    assert "浸水・冠水・河川氾濫 · 大門 · 3件" in text and "JST" in text and "AI 0.93" in text
    assert "高岡" in text and "3.31 m" in text and "gauge:" not in text
    assert await card.locator(".sensor-camera img").count() == 1
    assert "件 / items" in await one.text_content("#queue-count")

    # Filters narrow the queue (hazard with bilingual labels, municipality).
    assert "通行止め・道路損壊 / road closed or damaged" in await one.inner_text("#f-hazard")
    await one.select_option("#f-hazard", "flood")
    await _until(one, "() => [...document.querySelectorAll('#triage-list > li.triage-item')]"
                      ".every(e => e.dataset.hazard === 'flood')")
    assert len(await _card_ids(one)) == 6
    await one.select_option("#f-hazard", "")
    await one.select_option("#f-municipality", "24207")
    await _until(one, "() => document.querySelectorAll('#triage-list > li.triage-item').length === 1")
    assert await _card_ids(one) == [ids["rescue"]]
    await one.select_option("#f-municipality", "")
    await _until(one, f"() => document.querySelectorAll('#triage-list > li.triage-item').length === {len(ids)}")

    # Operator one types a reason; operator two dismisses another card: one's card goes, the reason stays.
    reason = one.locator(f'#triage-list li[data-incident-id="{ids["road"]}"] input.reason')
    await reason.click()
    await reason.type("道路管理者に確認中")
    watch = one.evaluate("id => new Promise(r => { const t0 = performance.now(); const c = () => "
                         "document.querySelector(`#triage-list li[data-incident-id='${id}']`) ? "
                         "requestAnimationFrame(c) : r(performance.now() - t0); c(); })", ids["flood4"])
    timings["dismiss_local_ms"] = await _timed_click(
        two, f'#triage-list li[data-incident-id="{ids["flood4"]}"] button[data-action=dismiss]', gone=ids["flood4"])
    timings["dismiss_seen_by_other_operator_ms"] = await watch
    assert await reason.input_value() == "道路管理者に確認中"
    assert await one.evaluate("document.activeElement.classList.contains('reason')")
    await reason.type("（続き）")
    assert await reason.input_value() == "道路管理者に確認中（続き）"

    # Dismiss and undo (reopen) on operator one.
    timings["dismiss_ms"] = await _timed_click(
        one, f'#triage-list li[data-incident-id="{ids["flood3"]}"] button[data-action=dismiss]', gone=ids["flood3"])
    await one.wait_for_selector("#toasts .toast button.undo")
    for _ in range(50):
        if await _status(ctx, ids["flood3"]) == "dismissed":
            break
        await one.wait_for_timeout(100)
    assert await _status(ctx, ids["flood3"]) == "dismissed"
    timings["undo_dismiss_ms"] = await _timed_click(
        one, "#toasts .toast button.undo", appear=f'#triage-list li[data-incident-id="{ids["flood3"]}"]')
    await _until(one, "id => window.BW_TRIAGE.marks.some(m => m.action === 'undo-dismiss' && m.id === id)",
                                arg=ids["flood3"])
    assert await _status(ctx, ids["flood3"]) == "unverified"

    # Confirm, undo within the grace period: nothing was sent. Confirm again: the alert goes out after it.
    timings["confirm_ms"] = await _timed_click(
        one, f'#triage-list li[data-incident-id="{ids["flood2"]}"] button[data-action=confirm]', gone=ids["flood2"])
    timings["undo_confirm_ms"] = await _timed_click(
        one, "#toasts .toast button.undo", appear=f'#triage-list li[data-incident-id="{ids["flood2"]}"]')
    await one.wait_for_timeout(GRACE_S * 1000 + 500)
    assert await _status(ctx, ids["flood2"]) == "unverified"
    assert await ctx.store.read(lambda s: s.get(AlertRow, f"incident-{ids['flood2']}")) is None
    await one.click(f'#triage-list li[data-incident-id="{ids["flood2"]}"] button[data-action=confirm]')
    await one.wait_for_selector(f'#alert-list li[data-alert-id="incident-{ids["flood2"]}"]', timeout=10_000)
    assert await _status(ctx, ids["flood2"]) == "confirmed"
    await _until(two, f"() => !document.querySelector('#triage-list li[data-incident-id=\"{ids['flood2']}\"]')")
    assert await one.locator("#alert-list li.cancelled .cancel-tag").count() == 1
    assert "JST" in await one.text_content("#alert-list")

    # Split from the card: choose one post; both cards update in place.
    flood = f'#triage-list li[data-incident-id="{ids["flood"]}"]'
    await one.click(f"{flood} button[data-action=split]")
    await one.locator(f"{flood} input.split-pick").nth(1).check()
    before = set(await _card_ids(one))
    known = ",".join(f'[data-incident-id="{i}"]' for i in before)
    timings["split_ms"] = await _timed_click(
        one, f"{flood} button[data-action=split-go]", appear=f"#triage-list > li.triage-item:not({known})")
    new_id = (set(await _card_ids(one)) - before).pop()
    await _until(one, f"() => document.querySelector('{flood} .card-title').textContent.includes('2件')")
    await two.wait_for_selector(f'#triage-list li[data-incident-id="{new_id}"]', timeout=10_000)

    # The audit trail of the split incident.
    await one.click(f"{flood} button[data-action=history]")
    await one.wait_for_selector(f"{flood} ol.history li")
    assert "ops split" in await one.text_content(f"{flood} ol.history")

    for pg in (one, two):
        assert await pg.evaluate("window.__noReload") == 1  # neither page was reloaded
    # Keyboard alone, operator two opening the page afresh: skip link, then dismiss, confirm, dismiss.
    await two.close()  # one live stream per page, and the service allows a client four
    two = await one.context.browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[union-attr]
    two = await two.new_page()
    two.on("pageerror", lambda err: errors.append(str(err)))
    await _login(two, server, "ops2")
    await two.reload()  # logged in: the page starts with the queue, and the keyboard from the top
    await two.wait_for_selector("#triage-list li.triage-item", timeout=10_000)
    await two.keyboard.press("Tab")
    assert await two.evaluate("document.activeElement.id") == "skip-queue"
    await two.keyboard.press("Enter")
    first = await two.evaluate("document.activeElement.getAttribute('data-incident-id')")
    assert first is not None
    done: list[int] = []
    for key in ("d", "c", "d"):
        current = int(await two.evaluate("document.activeElement.getAttribute('data-incident-id')"))
        await two.keyboard.press(key)
        await _until(two, f"() => !document.querySelector('#triage-list li[data-incident-id=\"{current}\"]')")
        done.append(current)
    await two.wait_for_timeout(GRACE_S * 1000 + 1000)
    assert [await _status(ctx, i) for i in done] == ["dismissed", "confirmed", "dismissed"]
    tabbable = "[...document.querySelectorAll('.leaflet-marker-icon')].filter(e => e.tabIndex >= 0).length"
    assert await two.evaluate(tabbable) == 0

    timings.update({f"page_{m['action']}_ms": m["ms"] for m in await one.evaluate("window.BW_TRIAGE.marks")})
    (ARTIFACTS / "triage-timings.json").write_text(json.dumps(timings, indent=2))
    print("triage timings (ms):", json.dumps(timings))  # the measurement the issue asks for
    assert max(timings["dismiss_ms"], timings["confirm_ms"], timings["undo_confirm_ms"]) < 1000
    await one.screenshot(path=str(SCREENSHOTS / "command-center-1600x1000.png"))
    await two.screenshot(path=str(SCREENSHOTS / "command-center-1366x768.png"))
    box = await two.locator("#alerts").bounding_box()
    assert box is not None and box["y"] + 40 < 768  # the alerts are on screen, not below all cards
    await one.close()
    phone = await (await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)).new_page()
    phone.on("pageerror", lambda err: errors.append(str(err)))
    await _login(phone, server, "ops")
    header = await phone.locator("header.bar").bounding_box()
    assert header is not None and header["height"] < 120
    await phone.screenshot(path=str(SCREENSHOTS / "command-center-390x844.png"))
    await phone.click("#tab-alerts")
    assert await phone.is_visible("#alert-list") and not await phone.is_visible("#triage-list")
    assert errors == []
