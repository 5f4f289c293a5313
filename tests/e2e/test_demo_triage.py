"""Issue 19, done when: two operators work the triage queue of the running demo (`bosai serve --demo`, a real
process) in headless Debian chromium. The queue is ordered by severity and the filters narrow it; confirm,
dismiss, undo and split take effect without a reload, each timed; a reason one operator is typing survives the
other's action; the keyboard alone triages three incidents.

The demo replays its day while the test runs: incidents arrive and grow all the time, so every check names the
incidents it acts on and waits (bounded) for what it expects, instead of counting the whole list.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from kernel.store.incidents import URGENCY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
DEMO_OPERATOR = ("operator", "bosai-demo")  # created by the demo at start (bosai.demo.runtime)
SECOND_OPERATOR = ("ops2", "second-operator-pass")  # created by `bosai operator` against the running demo's store
GRACE_S = 3  # [web] confirm_grace_s: a confirm is held (undoable) this long before it is sent
CARD = "#triage-list > li.triage-item"
UI_TIMEOUT_MS = 60_000  # the demo and chromium share two busy cores with a training job: generous, but bounded

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _until(what: str, check: Callable[[], Any], timeout_s: float = 60.0, every_s: float = 0.25) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)


def _api_login(url: str, name: str, password: str) -> requests.Session | None:
    http = requests.Session()
    csrf = http.get(f"{url}/api/session", timeout=10).json()["csrf"]
    resp = http.post(f"{url}/login", json={"username": name, "password": password},
                     headers={"X-CSRF-Token": csrf}, timeout=20)
    return http if resp.status_code == 200 else None


def _add_operator(tmp_path: Path, name: str, password: str) -> None:
    """`bosai operator NAME --password-stdin` against the demo's own store (reset at demo start, so only now)."""
    cfg = tmp_path / "operator.toml"
    cfg.write_text(f'[service]\ndata_dir = "{tmp_path}/var/demo"\n'
                   f'[store]\nurl = "sqlite:///{tmp_path}/var/demo/demo.db"\n')
    done = subprocess.run([sys.executable, "-m", "bosai.cli", "--config", str(cfg), "operator", name,
                           "--password-stdin"], input=password + "\n", text=True, capture_output=True,
                          cwd=ROOT, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def _queue(api: requests.Session, url: str, **params: str) -> list[dict[str, Any]]:
    """The unverified queue as the page's first page asks for it (default 24 h window), up to 200 items."""
    resp = api.get(f"{url}/api/triage", params={"limit": "200", **params}, timeout=30)
    resp.raise_for_status()
    return [f["properties"] for f in resp.json()["features"]]


def _status(api: requests.Session, url: str, incident: int) -> str:
    resp = api.get(f"{url}/api/triage/{incident}", timeout=30)
    resp.raise_for_status()
    return resp.json()["properties"]["status"]


def _ready(queue: list[dict[str, Any]]) -> bool:
    """Enough of the day replayed for every check: a dozen live incidents, several severities, hazards and towns,
    a hazard with a short queue whose card shows two or more posts (to split), nothing stale yet in the way."""
    live = [p for p in queue if not p["stale"]]
    hazards = Counter(p["hazard"] for p in live)
    return (len(live) >= 12 and len({p["severity"] for p in live}) >= 2 and len(hazards) >= 3
            and len({p["municipality_code"] for p in live}) >= 2
            and any(len(p["posts"]) >= 2 and hazards[p["hazard"]] <= 40 for p in live))


def _cards(page: Any) -> list[dict[str, Any]]:
    """The cards on screen, in order, read in one go (the list changes live)."""
    return page.eval_on_selector_all(CARD, """els => els.map(e => ({
        id: Number(e.dataset.incidentId), severity: Number(e.dataset.severity), hazard: e.dataset.hazard,
        municipality: e.dataset.municipality || '', stale: e.classList.contains('stale')}))""")


def _page_until(page: Any, what: str, expr: str, arg: object = None, timeout_s: float = 60.0) -> None:
    """Poll a JS function in the page (wait_for_function would evaluate a string, which the page's CSP forbids)."""
    _until(what, lambda: page.evaluate(expr, arg), timeout_s=timeout_s, every_s=0.1)


def _card_sel(incident: int) -> str:
    return f'{CARD}[data-incident-id="{incident}"]'


def _timed_click(page: Any, selector: str, appear: str | None = None, gone: int | None = None) -> float:
    """Click ``selector``; the ms until ``appear`` is in the page or the card of incident ``gone`` is off it."""
    return page.evaluate("""([sel, appear, gone]) => new Promise((resolve, reject) => {
        const t0 = performance.now();
        document.querySelector(sel).click();
        const done = () => appear ? document.querySelector(appear)
            : !document.querySelector(`#triage-list li[data-incident-id="${gone}"]`);
        const check = () => done() ? resolve(performance.now() - t0)
            : performance.now() - t0 > 60000 ? reject(new Error('not within 60 s: ' + (appear || gone)))
            : requestAnimationFrame(check);
        check(); })""", [selector, appear, gone])


def _login(page: Any, url: str, name: str, password: str) -> None:
    page.goto(url + "/", timeout=UI_TIMEOUT_MS)
    page.evaluate("window.__noReload = 1")  # gone if the page is ever reloaded
    page.fill("#login-form input[name=username]", name)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(CARD, timeout=UI_TIMEOUT_MS)
    page.wait_for_selector("#live-status.on", timeout=UI_TIMEOUT_MS)


def _assert_ordered(cards: list[dict[str, Any]], urgency: dict[str, int]) -> None:
    """Stale last; before them severity descending and, within a severity, urgency descending."""
    flags = [c["stale"] for c in cards]
    assert flags == sorted(flags), "stale incidents are queued last"
    for group in ([c for c in cards if not c["stale"]], [c for c in cards if c["stale"]]):
        keys = [(c["severity"], urgency.get(c["hazard"], 0)) for c in group]
        assert keys == sorted(keys, reverse=True), keys


def test_two_operators_triage_the_running_demo(service_factory, tmp_path):
    from playwright.sync_api import sync_playwright

    svc = service_factory(f"""
[service]
data_dir = "{tmp_path}/var"
[store]
url = "sqlite:///{tmp_path}/var/bosai.db"
[demo]
port = 0
[web]
confirm_grace_s = {GRACE_S}
""")
    svc.start("--demo")
    url = svc.url
    # The demo creates its operator after the port opens; logging in before that would count failed logins and
    # put the account into its back-off, so wait for the demo to print the login.
    _until("the demo operator", lambda: "Demo operator login:" in svc.log.read_text(errors="replace"),
           timeout_s=120, every_s=0.5)
    api = _until("the demo operator's login", lambda: _api_login(url, *DEMO_OPERATOR), timeout_s=30, every_s=2)
    _add_operator(tmp_path, *SECOND_OPERATOR)
    assert _api_login(url, *SECOND_OPERATOR) is not None
    queue = _until("the demo to fill the queue", lambda: (q := _queue(api, url)) and _ready(q) and q,
                   timeout_s=300, every_s=3)
    urgency = dict(URGENCY)
    assert all(urgency.get(p["hazard"], 0) == p["urgency"] for p in queue)  # the server's order, as the page's
    timings: dict[str, float] = {}
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            one = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            two = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            for page, (name, password) in ((one, DEMO_OPERATOR), (two, SECOND_OPERATOR)):
                page.set_default_timeout(UI_TIMEOUT_MS)
                page.on("pageerror", lambda err: errors.append(str(err)))
                _login(page, url, name, password)
            _page_until(one, "a full first page", f"() => document.querySelectorAll('{CARD}').length >= 12")

            # Order: severity first, then urgency; stale last.
            cards = _cards(one)
            assert len({c["severity"] for c in cards}) >= 2
            _assert_ordered(cards, urgency)
            _assert_ordered(_cards(two), urgency)

            # Filters narrow the queue: a hazard, then a municipality (each card checked against the server).
            shown = Counter(c["hazard"] for c in cards)
            hazard = min((h for h in shown if shown[h] < len(cards)), key=lambda h: (shown[h] < 2, -shown[h]))
            one.select_option("#f-hazard", hazard)
            _page_until(one, f"only {hazard} cards", """h => { const c = [...document.querySelectorAll(
                '#triage-list > li.triage-item')]; return c.length > 0 && c.every(e => e.dataset.hazard === h); }""",
                        hazard)
            # The live demo adds incidents meanwhile, so counts are not compared: the cards of other hazards
            # that were shown before are gone.
            others = {c["id"] for c in cards if c["hazard"] != hazard}
            assert others and not others & {c["id"] for c in _cards(one)}
            one.select_option("#f-hazard", "")
            codes = one.eval_on_selector_all("#f-municipality option", "os => os.map(o => o.value).filter(Boolean)")
            cards = _cards(one)
            towns = Counter(next((m for m in codes if c["municipality"].startswith(m)), None) for c in cards)
            town = max((m for m in towns if m and towns[m] < len(cards)), key=lambda m: towns[m])
            one.select_option("#f-municipality", town)
            _page_until(one, f"only cards of {town}", """m => { const c = [...document.querySelectorAll(
                '#triage-list > li.triage-item')]; return c.length > 0 && c.every(e => e.dataset.municipality
                .startsWith(m)); }""", town)
            narrowed = _cards(one)
            elsewhere = {c["id"] for c in cards if not c["municipality"].startswith(town)}
            assert elsewhere and not elsewhere & {c["id"] for c in narrowed}
            for c in narrowed[:5]:  # the page's codes are the server's
                code = api.get(f"{url}/api/triage/{c['id']}", timeout=30).json()["properties"]["municipality_code"]
                assert str(code).startswith(town), (c, code)
            one.select_option("#f-municipality", "")
            _page_until(one, "the whole queue again", """([sel, m]) => [...document.querySelectorAll(sel)]
                .some(e => !e.dataset.municipality.startsWith(m))""", [CARD, town])

            # Operator one types a reason; operator two dismisses another card: it goes from one's page too,
            # and the reason, its focus and the typing go on.
            ids_one, ids_two = [c["id"] for c in _cards(one)], {c["id"] for c in _cards(two)}
            shared = [i for i in ids_one if i in ids_two]
            keep, other = shared[len(shared) // 2], shared[len(shared) // 2 + 1]  # not at a page's edge
            reason = one.locator(f"{_card_sel(keep)} input.reason")
            try:
                reason.click(timeout=20_000)
            except Exception:
                state = one.evaluate("""id => ({ cards: [...document.querySelectorAll('#triage-list > li')]
                    .map(e => e.dataset.incidentId || e.className), count: document.querySelector('#queue-count')
                    .textContent, login: !document.getElementById('login-form').hidden, marks: window.BW_TRIAGE.marks,
                    log: [...document.querySelectorAll('#event-log li')].slice(0, 30).map(e => e.textContent)})""",
                                    keep)
                (ARTIFACTS / "demo-triage-failure.json").write_text(json.dumps(
                    {"keep": keep, "ids_one": ids_one, "state": state}, ensure_ascii=False, indent=1))
                one.screenshot(path=str(ARTIFACTS / "demo-triage-failure.png"))
                raise
            reason.type("道路管理者に確認中")
            one.evaluate("""id => { window.__goneAt = null; const check = () =>
                document.querySelector(`#triage-list li[data-incident-id="${id}"]`)
                    ? requestAnimationFrame(check) : (window.__goneAt = Date.now()); check(); }""", other)
            clicked_at = two.evaluate("() => Date.now()")
            timings["dismiss_ms"] = _timed_click(two, f"{_card_sel(other)} button[data-action=dismiss]", gone=other)
            gone_at = _until("the dismiss on the other operator's page", lambda: one.evaluate("window.__goneAt"))
            timings["dismiss_seen_by_other_operator_ms"] = gone_at - clicked_at
            _until("the dismiss in the store", lambda: _status(api, url, other) == "dismissed", timeout_s=30)
            assert reason.input_value() == "道路管理者に確認中"
            assert one.evaluate("document.activeElement.classList.contains('reason')")
            reason.type("（続き）")
            assert reason.input_value() == "道路管理者に確認中（続き）"

            # Operator one: dismiss, then undo (reopened in the store).
            live = [c["id"] for c in _cards(one) if c["id"] != keep]
            dismissed = live[0]
            timings["dismiss_then_undo:dismiss_ms"] = _timed_click(
                one, f"{_card_sel(dismissed)} button[data-action=dismiss]", gone=dismissed)
            one.wait_for_selector("#toasts .toast button.undo")
            _until("the dismiss in the store", lambda: _status(api, url, dismissed) == "dismissed", timeout_s=30)
            timings["undo_dismiss_ms"] = _timed_click(one, "#toasts .toast button.undo",
                                                      appear=_card_sel(dismissed))
            _until("the reopen in the store", lambda: _status(api, url, dismissed) == "unverified", timeout_s=30)

            # Confirm, undo within the grace period: nothing is sent. Confirm again: the alert goes out.
            confirmed = next(c["id"] for c in _cards(one) if c["id"] not in (keep, dismissed))
            timings["confirm_ms"] = _timed_click(one, f"{_card_sel(confirmed)} button[data-action=confirm]",
                                                 gone=confirmed)
            timings["undo_confirm_ms"] = _timed_click(one, "#toasts .toast button.undo", appear=_card_sel(confirmed))
            one.wait_for_timeout(GRACE_S * 1000 + 1500)
            assert _status(api, url, confirmed) == "unverified"
            alert_ids = {a["id"] for a in requests.get(f"{url}/api/alerts?limit=200", timeout=30).json()}
            assert f"incident-{confirmed}" not in alert_ids
            t0 = time.monotonic()
            one.click(f"{_card_sel(confirmed)} button[data-action=confirm]")
            one.wait_for_selector(f'#alert-list li[data-alert-id="incident-{confirmed}"]')
            timings["confirm_to_alert_listed_ms"] = (time.monotonic() - t0) * 1000
            assert _status(api, url, confirmed) == "confirmed"
            _page_until(two, "the confirm on the other page",
                        "id => !document.querySelector(`#triage-list li[data-incident-id=\"${id}\"]`)", confirmed)

            # Split: both operators watch a short hazard queue; one splits a post off a card of it.
            hazards = Counter(p["hazard"] for p in _queue(api, url) if not p["stale"])
            on_page = {c["id"] for c in _cards(one)} - {keep, dismissed, confirmed}
            source = next(p for p in _queue(api, url) if p["id"] in on_page and len(p["posts"]) >= 2
                          and hazards[p["hazard"]] <= 40 and not p["stale"])
            for page in (one, two):
                page.select_option("#f-hazard", source["hazard"])
                page.wait_for_selector(_card_sel(source["id"]))
            src = _card_sel(source["id"])
            one.click(f"{src} button[data-action=split]")
            picks = one.locator(f"{src} input.split-pick")
            _until("two posts on the card", lambda: picks.count() >= 2)
            moved = int(picks.nth(1).get_attribute("value") or 0)
            picks.nth(1).check()
            elsewhere = f'{CARD}:not([data-incident-id="{source["id"]}"]) input.split-pick[value="{moved}"]'
            timings["split_ms"] = _timed_click(one, f"{src} button[data-action=split-go]", appear=elsewhere)
            new_id = int(one.locator(elsewhere).evaluate("e => e.closest('li.triage-item').dataset.incidentId"))
            _page_until(one, "the source card without the moved post",
                        "sel => !document.querySelector(sel)", f'{src} input.split-pick[value="{moved}"]')
            two.wait_for_selector(_card_sel(new_id))
            one.click(f"{src} button[data-action=history]")
            one.wait_for_selector(f"{src} ol.history li")
            assert f"{DEMO_OPERATOR[0]} split" in (one.text_content(f"{src} ol.history") or "")
            for page in (one, two):
                page.select_option("#f-hazard", "")

            assert one.evaluate("window.__noReload") == 1 and two.evaluate("window.__noReload") == 1  # no reload

            # Keyboard alone, operator two from the top of a fresh page: skip link, then dismiss, confirm, dismiss.
            two.reload()
            two.wait_for_selector(CARD)
            two.keyboard.press("Tab")
            assert two.evaluate("document.activeElement.id") == "skip-queue"
            two.keyboard.press("Enter")
            done: list[int] = []
            for key in ("d", "c", "d"):
                current = two.evaluate("document.activeElement.closest('li.triage-item')?.dataset.incidentId")
                assert current is not None, "a card has the focus"
                two.keyboard.press(key)
                _page_until(two, f"'{key}' on #{current}",
                            "id => !document.querySelector(`#triage-list li[data-incident-id=\"${id}\"]`)", current)
                done.append(int(current))
            two.wait_for_timeout(GRACE_S * 1000 + 1500)
            _until("the keyboard's decisions in the store", lambda: [_status(api, url, i) for i in done]
                   == ["dismissed", "confirmed", "dismissed"], timeout_s=30)

            timings.update({f"page_{m['action']}_ms": m["ms"] for m in one.evaluate("window.BW_TRIAGE.marks")})
            timings = {k: round(v, 1) for k, v in timings.items()}
            (ARTIFACTS / "demo-triage-timings.json").write_text(json.dumps(timings, indent=2))
            print("demo triage timings (ms):", json.dumps(timings))  # the measurement the issue asks for
            # Card removal is local and at once; undo and split wait for the server, on a loaded machine.
            assert max(timings["dismiss_ms"], timings["confirm_ms"], timings["undo_confirm_ms"]) < 1000, timings
            assert max(timings["undo_dismiss_ms"], timings["split_ms"]) < 15_000, timings
            assert errors == []
        finally:
            browser.close()
    assert svc.terminate() == 0
