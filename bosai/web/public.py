"""The residents' page per language: alerts (with their text form), warnings, shelters map, rivers, credits."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web
from sqlalchemy.orm import Session

from bosai.web import queries
from bosai.web.api import languages
from bosai.web.keys import CTX, MIE
from bosai.web.render import Safe, esc, html_response, join, json_for_attribute, render
from bosai.web.subscribe_text import labels as sign_up_labels
from bosai.web.subscriptions import sign_up_form
from bosai.web.ui_text import HTML_LANG, LANGUAGE_NAMES, ui

MAX_ALERTS: Final = 20
ARCHIVE_ALERTS: Final = 200
JMA_CREDIT: Final = "出典：気象庁"


def _level(level: int | None) -> int:
    """The CSS class number of a 警戒レベル (0 when unknown or out of range)."""
    return level if isinstance(level, int) and 0 <= level <= 5 else 0


def _alert_html(alert: Any, lang: str, *, past: bool = False) -> Safe:
    from publish.messages import render_alert

    text = render_alert(alert, lang)
    state = f' data-msg-type="{esc(alert.msg_type)}"' + (' data-past="1"' if past else "")
    return Safe(
        f'<article class="alert lv-{_level(alert.level)}{" past" if past else ""}" data-alert-id="{esc(alert.id)}"'
        f'{state}>'
        f'<h3>{esc(text.headline)}</h3><p class="level">{esc(text.level_text)}</p>'
        f'<p>{esc(text.description)}</p><p class="instruction"><strong>{esc(text.instruction)}</strong></p>'
        f'<p class="area">{esc(text.area_desc)}</p><p class="source">{esc(text.source_label)}</p>'
        f'<details class="accessible"><summary>{esc(ui(lang)["accessible"])}</summary>'
        f'<p class="accessible-text">{esc(text.accessible_text)}</p></details></article>'
    )


def _warning_rows(areas: list[dict[str, Any]], lang: str) -> list[Safe]:
    from publish.places import localize_place

    return [Safe(
        f'<tr class="lv-{_level(a["level"])}">'
        f'<th scope="row">{esc(localize_place(str(a["area_name"]), lang))}</th>'
        f'<td>{esc("、".join(k["name"] for k in a["kinds"]))}</td></tr>'
    ) for a in areas]


def _gauge_rows(gauges: list[Any], lang: str) -> list[Safe]:
    from publish.colors import level_words
    from publish.places import localize_place

    return [Safe(
        f'<tr><td>{esc(localize_place(g.river, lang))}</td><td>{esc(localize_place(g.name, lang))}</td>'
        f'<td>{esc("-" if g.level_m is None else f"{g.level_m:.2f} m")}</td>'
        f'<td class="lv-{_level(g.warning_level)}">'
        f'{esc(level_words(g.warning_level, lang))}</td></tr>'
    ) for g in gauges]


async def public_page(request: web.Request) -> web.Response:
    """GET /public/{lang} (and /public for Japanese)."""
    ctx, mie = request.app[CTX], request.app[MIE]
    lang = request.match_info.get("lang", "ja")
    if lang not in languages(ctx):
        raise web.HTTPNotFound(text="unknown language", content_type="text/plain")
    t = ui(lang)
    now = ctx.clock()

    def build(session: Session) -> tuple[list[Safe], list[str], list[Safe], list[Safe]]:
        rows = queries.active_alerts(session, now, MAX_ALERTS)
        codes = sorted({str(x.get("code") or "")[:5] for a in rows for x in a.areas
                        if str(x.get("code") or "").startswith("24")})
        warnings = _warning_rows(queries.current_warnings(session), lang)
        return [_alert_html(a, lang) for a in rows], codes, warnings, _gauge_rows(queries.latest_gauges(session), lang)

    alerts_html, codes, warning_rows, gauge_rows = await ctx.store.read(build)
    shelters = [s for code in codes for s in mie.find_shelters(municipality=code, limit=200)] or \
        mie.find_shelters(limit=300)
    current = ' aria-current="page"'
    switcher = join([Safe(f'<a href="/public/{esc(code)}" hreflang="{esc(HTML_LANG.get(code, code))}"'
                          f'{current if code == lang else ""}>{esc(name)}</a>')
                     for code, name in LANGUAGE_NAMES.items() if code in languages(ctx)], " ")
    credits = [JMA_CREDIT, *mie.credits(), ctx.config.web.tile_attribution]
    body = render(
        "public.html", lang=HTML_LANG.get(lang, lang), title=t["title"], switcher=switcher, t_alerts=t["alerts"],
        alerts=join(alerts_html) if alerts_html else Safe(f'<p class="empty">{esc(t["no_alerts"])}</p>'),
        t_warnings=t["warnings"],
        warnings=Safe(f"<table>{join(warning_rows)}</table>") if warning_rows
        else Safe(f'<p class="empty">{esc(t["no_warnings"])}</p>'),
        t_shelters=t["shelters"], shelters_note=t["shelters_note"],
        settings=json_for_attribute({"tileUrl": ctx.config.web.tile_url,
                                     "tileAttribution": ctx.config.web.tile_attribution,
                                     "shelters": [s.feature() for s in shelters]}),
        t_rivers=t["rivers"],
        rivers=Safe(f'<table><tr><th>{esc(t["river"])}</th><th>{esc(t["station"])}</th>'
                    f'<th>{esc(t["water_level"])}</th><th>{esc(t["level"])}</th></tr>{join(gauge_rows)}</table>')
        if gauge_rows else Safe(f'<p class="empty">{esc(t["no_rivers"])}</p>'),
        t_credits=t["credits"], credits=join([Safe(f"<li>{esc(c)}</li>") for c in credits if c]),
        feed=f"/feeds/{lang}.atom", archive=f"/public/{lang}/archive", t_archive=t["archive"],
        t_subscribe=sign_up_labels(lang)["heading"],
        subscribe=sign_up_form(lang, languages(ctx), email=bool(ctx.config.delivery.smtp_host)),
    )
    return html_response(body)


async def archive_page(request: web.Request) -> web.Response:
    """GET /public/{lang}/archive: every alert so far, newest first, each marked in force or not."""
    ctx = request.app[CTX]
    lang = request.match_info["lang"]
    if lang not in languages(ctx):
        raise web.HTTPNotFound(text="unknown language", content_type="text/plain")
    t = ui(lang)
    now = ctx.clock()

    def build(session: Session) -> list[Safe]:
        in_force = {a.id for a in queries.active_alerts(session, now, ARCHIVE_ALERTS)}
        return [_alert_html(a, lang, past=a.id not in in_force)
                for a in queries.alerts(session, ARCHIVE_ALERTS)]

    cards = await ctx.store.read(build)
    body = render("archive.html", lang=HTML_LANG.get(lang, lang), title=t["archive"], note=t["archive_note"],
                  back=f"/public/{lang}", t_back=t["title"],
                  alerts=join(cards) if cards else Safe(f'<p class="empty">{esc(t["no_archive"])}</p>'))
    return html_response(body)


def add_routes(app: web.Application) -> None:
    """Mount the public pages."""
    app.router.add_get("/public", public_page)
    app.router.add_get("/public/{lang}", public_page)
    app.router.add_get("/public/{lang}/archive", archive_page)
