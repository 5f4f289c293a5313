"""The residents' site per language, in the style of 防災みえ.jp, mobile first (issue 18 §2).

Sections: alerts in force, 警報・注意報 (map and list), 避難情報, 避難所 (loaded on demand by public.js, never
embedded), 河川水位 (with a 24-hour chart as inline SVG), カメラ, 地震・津波. Each section also has a JSON API
(bosai.web.public_data). Everything is rendered on the server, so the page reads without script; public.js
refreshes the sections from this same page when the live stream says something changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from aiohttp import web
from sqlalchemy.orm import Session

from bosai.web import public_data, queries
from bosai.web.api import languages
from bosai.web.keys import CTX, MIE
from bosai.web.render import Safe, esc, html_response, join, json_for_attribute, render
from bosai.web.subscribe_text import labels as sign_up_labels
from bosai.web.subscriptions import sign_up_form
from bosai.web.ui_text import HTML_LANG, LANGUAGE_NAMES, hazard_names, section_labels, ui
from kernel.languages import REGISTRY, language

MAX_ALERTS: Final = 20
ARCHIVE_ALERTS: Final = 200
JMA_CREDIT: Final = "出典：気象庁"
# Accept-Language tags -> our languages, by primary subtag (kernel.languages).
ACCEPT_PRIMARY: Final = {tag: lang.code for lang in REGISTRY for tag in lang.accept}
CHART_W: Final = 320
CHART_H: Final = 130
CHART_PAD: Final = 4


def _level(level: int | None) -> int:
    """The CSS class number of a 警戒レベル (0 when unknown or out of range)."""
    return level if isinstance(level, int) and 0 <= level <= 5 else 0


def pick_language(header: str | None, available: tuple[str, ...]) -> str:
    """The reader's language from Accept-Language (highest q first), Japanese when none of ours is asked for."""
    choices: list[tuple[float, int, str]] = []
    for n, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        tag = tag.strip()
        if tag.lower() == "ja-jp-x-easy" and "ja-easy" in available:
            choices.append((q, n, "ja-easy"))
            continue
        lang = ACCEPT_PRIMARY.get(tag.split("-")[0].lower())
        if lang and lang in available and q > 0:
            choices.append((q, n, lang))
    return min(choices, key=lambda c: (-c[0], c[1]))[2] if choices else "ja"


def _alert_html(alert: Any, lang: str, *, past: bool = False) -> Safe:
    from bosai.web.alert_forms import listen_button
    from publish.messages import render_alert

    text = render_alert(alert, lang)
    state = f' data-msg-type="{esc(alert.msg_type)}"' + (' data-past="1"' if past else "")
    level = f'<p class="level">{esc(text.level_text)}</p>' if text.level_text else ""
    return Safe(
        f'<article class="alert lv-{_level(alert.level)}{" past" if past else ""}" data-alert-id="{esc(alert.id)}"'
        f'{state}>'
        f'<h3>{esc(text.headline)}</h3>{level}'
        f'<p>{esc(text.description)}</p><p class="instruction"><strong>{esc(text.instruction)}</strong></p>'
        f'<p class="area">{esc(text.area_desc)}</p><p class="source">{esc(text.source_label)}</p>'
        f'{listen_button(alert.id, lang)}'
        f'<details class="accessible"><summary>{esc(ui(lang)["accessible"])}</summary>'
        f'<p class="accessible-text">{esc(text.accessible_text)}</p></details></article>'
    )


def _empty(text: str) -> Safe:
    return Safe(f'<p class="empty">{esc(text)}</p>')


def _badge(level: int, text: str) -> Safe:
    return Safe(f'<span class="badge lv-{_level(level)}">{esc(text)}</span>')


def warnings_html(rows: list[dict[str, Any]], lang: str) -> Safe:
    """The list beside the map: each municipality with its warnings, names in the reader's language."""
    if not rows:
        return _empty(ui(lang)["no_warnings"])
    items = [Safe(f'<li class="lv-row" data-area="{esc(r["area_code"])}"><span class="swatch lv-{_level(r["level"])}">'
                  f'</span><strong>{esc(r["area"])}</strong> '
                  f'{join([_badge(k["level"] or 0, k["name"]) for k in r["kinds"]], " ")}</li>') for r in rows]
    return Safe(f'<ul class="warning-list">{join(items)}</ul>')


def evacuations_html(rows: list[dict[str, Any]], lang: str) -> Safe:
    """Orders in force by municipality: level, name, towns (or the whole area), reason and time."""
    t = section_labels(lang)
    if not rows:
        return _empty(t["no_evacuations"])
    sep = language(lang).list_separator
    out = []
    for town in rows:
        orders = [Safe(f'<li class="evacuation" data-level="{o["level"]}">{_badge(o["level"], o["name"])} '
                       f'<span class="towns">{esc(sep.join(o["towns"]) or t["whole_area"])}</span>'
                       f' <span class="reason">({esc(o["hazard_name"])})</span>'
                       f' <time class="when">{esc(o["issued"])}</time></li>') for o in town["orders"]]
        out.append(Safe(f'<div class="evac-town lv-border-{_level(town["level"])}" '
                        f'data-municipality="{esc(town["municipality_code"])}"><h3>{esc(town["municipality"])}</h3>'
                        f'<ul>{join(orders)}</ul></div>'))
    return join(out)


def _y(value: float, low: float, high: float) -> float:
    return round(CHART_H - CHART_PAD - (value - low) / (high - low) * (CHART_H - 2 * CHART_PAD), 1)


def river_chart(gauge: dict[str, Any], now: datetime, title: str) -> Safe:
    """The last 24 hours of a gauge as inline SVG: the level, its thresholds as coloured lines, the forecast."""
    from publish.colors import LEVEL_COLORS

    points = [(datetime.fromisoformat(t), v) for t, v in gauge["series"]]
    forecast = [(datetime.fromisoformat(f["at"]), f["level_m"]) for f in gauge["forecast"]]
    start = now - public_data.RIVER_WINDOW
    end = max([now, *(t for t, _ in forecast)])
    values = [v for _, v in points + forecast] + [t["m"] for t in gauge["thresholds"]]
    if not values:
        return Safe("")
    low, high = min(values), max(values)
    low, high = low - 0.1 * (high - low or 1), high + 0.1 * (high - low or 1)
    span = (end - start).total_seconds() or 1.0

    def x(t: datetime) -> float:
        return round(CHART_PAD + (t - start).total_seconds() / span * (CHART_W - 2 * CHART_PAD), 1)

    parts = [f'<rect x="0" y="0" width="{CHART_W}" height="{CHART_H}" fill="#ffffff" stroke="#999999"/>']
    for hours in (6, 12, 18):
        gx = x(start + timedelta(hours=hours))
        parts.append(f'<line x1="{gx}" y1="0" x2="{gx}" y2="{CHART_H}" stroke="#eeeeee"/>')
    for th in gauge["thresholds"]:
        colour = LEVEL_COLORS.get(th["level"], "#9e9e9e")
        y = _y(th["m"], low, high)
        parts.append(f'<line class="threshold" data-level="{th["level"]}" x1="0" y1="{y}" x2="{CHART_W}" y2="{y}" '
                     f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 3"><title>{esc(th["name"])} '
                     f'{th["m"]:.2f} m</title></line>')
    if points:
        line = " ".join(f"{x(t)},{_y(v, low, high)}" for t, v in points)
        parts.append(f'<polyline class="level-line" points="{line}" fill="none" stroke="#0d47a1" stroke-width="2"/>')
    if forecast and points:
        t0, v0 = points[-1]
        line = " ".join(f"{x(t)},{_y(v, low, high)}" for t, v in [(t0, v0), *forecast])
        parts.append(f'<polyline class="forecast-line" points="{line}" fill="none" stroke="#0d47a1" '
                     f'stroke-width="2" stroke-dasharray="3 3"/>')
    nx = x(now)
    parts.append(f'<line x1="{nx}" y1="0" x2="{nx}" y2="{CHART_H}" stroke="#555555"/>')
    return Safe(f'<svg class="river-chart" viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="{esc(title)}">'
                f'<title>{esc(title)}</title>{"".join(parts)}</svg>')


def rivers_html(rows: list[dict[str, Any]], lang: str, now: datetime) -> Safe:
    """Each gauge: its level and 警戒レベル, the four thresholds, the 24-hour chart and the useful forecast."""
    from publish.colors import level_words

    t, s = ui(lang), section_labels(lang)
    if not rows:
        return _empty(t["no_rivers"])
    out = []
    for g in rows:
        level = "-" if g["level_m"] is None else f'{g["level_m"]:.2f} m'
        thresholds = join([Safe(f'<li><span class="swatch lv-{th["level"]}"></span>{esc(th["name"])} '
                                f'{th["m"]:.2f} m</li>') for th in g["thresholds"]])
        forecast = join([Safe(f'<li class="forecast">{esc(s["forecast"])} +{f["hours"]:g} h: {f["level_m"]:.2f} m '
                              f'<small>(± {f["mae_m"]:.2f} m {esc(s["forecast_error"])}, n={f["n"]})</small></li>')
                         for f in g["forecast"]])
        title = f'{g["river"]} {g["station"]}: {s["chart"]}'
        stale = f' <span class="stale">{esc(s["stale"])}</span>' if g["stale"] else ""
        out.append(Safe(
            f'<article class="gauge" data-gauge="{esc(g["gauge_id"])}"><h3>{esc(g["river"])} {esc(g["station"])}</h3>'
            f'<p class="reading"><strong class="value">{esc(level)}</strong> '
            f'{_badge(g["level"], level_words(g["level"], lang))} '
            f'<small>{esc(s["observed"])} {esc(g["observed"])}</small>{stale}</p>'
            f'{river_chart(g, now, title)}'
            + (f'<details class="thresholds"><summary>{esc(s["thresholds"])}</summary><ul>{thresholds}</ul></details>'
               if g["thresholds"] else "")
            + (f'<ul class="forecasts">{forecast}</ul>' if g["forecast"] else "")
            + "</article>"))
    return Safe(f'<div class="gauges">{join(out)}</div>')


def cameras_html(rows: list[dict[str, Any]], lang: str) -> Safe:
    """The latest still of each camera with its time; stale ones marked."""
    s = section_labels(lang)
    if not rows:
        return _empty(s["no_cameras"])
    out = [Safe(f'<figure class="camera{" is-stale" if c["stale"] else ""}" data-camera="{esc(c["camera_id"])}">'
                f'<img src="{esc(c["thumbnail_url"])}" alt="{esc(c["name"])}" loading="lazy" width="320" height="180">'
                f'<figcaption><strong>{esc(c["name"])}</strong> <time>{esc(s["taken"])} {esc(c["taken"])}</time>'
                + (f' <span class="stale">{esc(s["stale"])}</span>' if c["stale"] else "")
                + "</figcaption></figure>") for c in rows]
    return Safe(f'<div class="cameras">{join(out)}</div>')


def quake_html(data: dict[str, Any], lang: str) -> Safe:
    """The latest earthquake with the intensity in each Mie area, then the tsunami warnings in force."""
    s = section_labels(lang)
    quake = data["earthquake"]
    if quake is None:
        parts = [_empty(s["no_quake"])]
    else:
        magnitude = "-" if quake["magnitude"] is None else f'{quake["magnitude"]:.1f}'
        rows = join([Safe(f'<tr><th scope="row">{esc(a["name"])}</th><td>{esc(a["label"])}</td></tr>')
                     for a in quake["areas"]])
        parts = [Safe(
            f'<div class="quake"><p><time>{esc(quake["time"])}</time></p><dl>'
            f'<dt>{esc(s["hypocenter"])}</dt><dd>{esc(quake["hypocenter"])}</dd>'
            f'<dt>{esc(s["magnitude"])}</dt><dd>{esc(magnitude)}</dd>'
            f'<dt>{esc(s["intensity"])}</dt><dd>{esc(quake["max_int_label"])}</dd></dl>'
            + (f'<table class="intensity"><tr><td></td><th scope="col">{esc(s["intensity"])}</th></tr>{rows}</table>'
               if quake["areas"] else "") + "</div>")]
    parts.append(Safe(f'<h3>{esc(s["tsunami"])}</h3>'))
    if data["tsunami"]:
        parts.append(Safe('<ul class="tsunami">' + "".join(
            f'<li class="lv-row"><strong>{esc(w["headline"])}</strong> {esc(w["area"])}<br>{esc(w["instruction"])}</li>'
            for w in data["tsunami"]) + "</ul>"))
    else:
        parts.append(_empty(s["no_tsunami"]))
    return join(parts)


def _section(key: str, title: str, body: Safe, extra: str = "") -> Safe:
    return Safe(f'<section id="s-{key}" class="section" aria-labelledby="h-{key}"><h2 id="h-{key}">{esc(title)}</h2>'
                f'<div class="section-body" id="{key}" data-section="{key}">{body}</div>{extra}</section>')


async def public_page(request: web.Request) -> web.Response:
    """GET /public/{lang}, and /public in the language the browser asks for (Accept-Language)."""
    ctx = request.app[CTX]
    langs = languages(ctx)
    lang = request.match_info.get("lang") or pick_language(request.headers.get("Accept-Language"), langs)
    if lang not in langs:
        raise web.HTTPNotFound(text="unknown language", content_type="text/plain")
    now = ctx.clock()
    limits = public_data.gauge_thresholds(ctx)

    def build(session: Session) -> dict[str, Any]:
        return {"alerts": [_alert_html(a, lang) for a in queries.active_alerts(session, now, MAX_ALERTS)],
                "warnings": public_data.warnings_data(session, lang),
                "evacuations": public_data.evacuations_data(session, lang),
                "rivers": public_data.rivers_data(session, lang, now, limits),
                "cameras": public_data.cameras_data(session, lang, now),
                "quake": public_data.quake_data(session, lang, now)}

    data = await ctx.store.read(build)
    response = html_response(page_html(request, lang, now, data))
    response.headers["Cache-Control"] = "no-cache"  # the same for every reader (no session token): revalidate
    if "lang" not in request.match_info:
        response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Language"] = HTML_LANG.get(lang, lang)
    return response


def page_html(request: web.Request, lang: str, now: datetime, data: dict[str, Any]) -> str:
    """The whole page from the sections' data."""
    from publish.messages import format_time

    ctx, mie = request.app[CTX], request.app[MIE]
    t, s = ui(lang), section_labels(lang)
    current = ' aria-current="page"'
    switcher = join([Safe(f'<a href="/public/{esc(code)}" hreflang="{esc(HTML_LANG.get(code, code))}" lang="'
                          f'{esc(HTML_LANG.get(code, code))}"{current if code == lang else ""}>{esc(name)}</a>')
                     for code, name in LANGUAGE_NAMES.items() if code in languages(ctx)], " ")
    credits = [JMA_CREDIT, *mie.credits(), ctx.config.web.tile_attribution]
    titles = {"alerts": t["alerts"], "warnings": t["warnings"], "evacuations": s["evacuations"],
              "shelters": t["shelters"], "rivers": t["rivers"], "cameras": s["cameras"], "quake": s["quake"]}
    nav = join([Safe(f'<a href="#s-{k}">{esc(v)}</a>') for k, v in titles.items()], "")
    shelters_extra = (f'<p class="note">{esc(t["shelters_note"])}</p>'
                      f'<button type="button" id="near-me" class="near-me">{esc(s["near_button"])}</button>'
                      f'<p id="near-status" class="near-status" role="status" aria-live="polite"></p>'
                      f'<ol id="near-list" class="shelter-list"></ol>')
    sections = [
        _section("alerts", titles["alerts"], join(data["alerts"]) if data["alerts"] else _empty(t["no_alerts"]),
                 f'<p class="links"><a href="/feeds/{esc(lang)}.atom">Atom</a> · '
                 f'<a href="/public/{esc(lang)}/archive">{esc(t["archive"])}</a></p>'),
        Safe(f'<section id="s-warnings" class="section" aria-labelledby="h-warnings">'
             f'<h2 id="h-warnings">{esc(titles["warnings"])}</h2><div class="map-and-list">'
             f'<div id="map" class="public-map" role="application" aria-label="{esc(titles["warnings"])}"></div>'
             f'<div class="section-body" data-section="warnings">{warnings_html(data["warnings"], lang)}</div>'
             f'</div></section>'),
        _section("evacuations", titles["evacuations"], evacuations_html(data["evacuations"], lang)),
        Safe(f'<section id="s-shelters" class="section" aria-labelledby="h-shelters">'
             f'<h2 id="h-shelters">{esc(titles["shelters"])}</h2>'
             f'<h3>{esc(s["open_now"])}</h3><ul id="open-shelters" class="shelter-list" aria-live="polite"></ul>'
             f'{shelters_extra}</section>'),
        _section("rivers", titles["rivers"], rivers_html(data["rivers"], lang, now)),
        _section("cameras", titles["cameras"], cameras_html(data["cameras"], lang)),
        _section("quake", titles["quake"], quake_html(data["quake"], lang)),
        Safe(f'<section id="s-subscribe" class="section" aria-labelledby="h-subscribe">'
             f'<h2 id="h-subscribe">{esc(sign_up_labels(lang)["heading"])}</h2>'
             f'{sign_up_form(lang, languages(ctx), email=bool(ctx.config.delivery.smtp_host))}</section>'),
    ]
    settings = {"lang": lang, "tileUrl": ctx.config.web.tile_url, "tileAttribution": ctx.config.web.tile_attribution,
                "hazards": hazard_names(lang),
                "text": {k: s[k] for k in ("locating", "geo_error", "no_open", "nearest_designated", "status_open",
                                           "status_full", "status_closed", "open_now")}}
    return render(
        "public.html", lang=HTML_LANG.get(lang, lang), title=t["title"], switcher=switcher, nav=nav,
        t_languages=t["languages"], t_sections=s["sections"], t_updated=s["updated"],
        updated=format_time(now, lang), updated_iso=now.isoformat(),
        sections=join(sections), settings=json_for_attribute(settings), feed=f"/feeds/{lang}.atom",
        t_credits=t["credits"], credits=join([Safe(f"<li>{esc(c)}</li>") for c in credits if c]),
    )


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
    """Mount the public pages and the APIs of their sections."""
    app.router.add_get("/public", public_page)
    app.router.add_get("/public/{lang}", public_page)
    app.router.add_get("/public/{lang}/archive", archive_page)
    public_data.add_routes(app)
