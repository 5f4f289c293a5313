"""The data of the public page's sections, in the reader's language, and the JSON API of each section.

One builder per section feeds both the server-rendered page (bosai.web.public) and ``GET /api/public/<section>``,
so the page and the API never disagree. Everything here is official or operator-confirmed information only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Final

from aiohttp import web
from sqlalchemy.orm import Session

from bosai.context import ServiceContext
from bosai.web import queries
from bosai.web.api import camera_feature, languages
from bosai.web.keys import CTX
from bosai.web.ui_text import hazard_names
from kernel.store import observations
from kernel.store.evacuations import evacuations
from publish.catalog import has_message, message
from publish.colors import level_color
from publish.evacuations import LEVELS
from publish.events import INTENSITY_LABELS
from publish.gauge_outlook import outlook
from publish.kinds import table
from publish.messages import format_time, render_alert
from publish.places import localize_place

RIVER_WINDOW: Final = timedelta(hours=24)
CAMERA_STALE_AFTER: Final = timedelta(minutes=30)  # the camera collector's default stale_after_min
MIE_PREF_CODE: Final = "24"  # JMA's prefecture code in intensity telegrams
SECTIONS: Final = ("warnings", "evacuations", "rivers", "cameras", "quake")


def _place(name: str, lang: str) -> str:
    return localize_place(name, lang) if name else ""


def _time(value: datetime | str | None, lang: str) -> str:
    return format_time(value, lang) if value else ""


@cache
def _kind_terms() -> dict[str, str]:
    """JMA kind names (大雨警報, レベル３大雨警報 ...) -> catalog term ids, from the kinds table."""
    return {spec.name: f"term.{spec.event_key}" for spec in table().values() if spec.event_key}


def kind_name(name: str, lang: str) -> str:
    """A JMA warning name in ``lang`` (the Japanese name when the catalog has no term for it)."""
    key = _kind_terms().get(name)
    return message(lang, key) if key and has_message(lang, key) else name


def hazard_name(code: str, lang: str) -> str:
    """A hazard code (flood, inland_flooding ...) as a word of ``lang``."""
    names = hazard_names(lang)
    return names.get(code) or names["other"]


def _level(level: int | None) -> dict[str, Any]:
    return {"level": level or 0, "color": level_color(level)}


def warnings_data(session: Session, lang: str) -> list[dict[str, Any]]:
    """Warnings and advisories in force per municipality, highest level first, names translated."""
    out = []
    for area in observations.current_warnings(session):
        out.append({"area_code": area["area_code"], "area": _place(str(area["area_name"]), lang),
                    **_level(area["level"]), "issued": _time(area["report_datetime"], lang),
                    "kinds": [{"name": kind_name(str(k["name"]), lang), "name_ja": k["name"],
                               "level": k.get("level")} for k in area["kinds"]]})
    return out


def evacuations_data(session: Session, lang: str) -> list[dict[str, Any]]:
    """Evacuation orders in force, grouped by municipality (highest level first)."""
    by_town: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in evacuations(session):
        names[row.municipality_code] = _place(row.municipality, lang)
        by_town[row.municipality_code].append({
            "id": row.id, **_level(row.level), "name": message(lang, f"term.{LEVELS[row.level][1]}"),
            "name_ja": LEVELS[row.level][0], "hazard": row.hazard, "hazard_name": hazard_name(row.hazard, lang),
            "towns": [_place(str(t), lang) for t in row.towns or []], "issued": _time(row.issued_at, lang),
            "updated": _time(row.updated_at, lang), "alert_id": row.alert_id})
    out = [{"municipality_code": code, "municipality": names[code], "level": max(o["level"] for o in orders),
            "orders": sorted(orders, key=lambda o: -o["level"])} for code, orders in by_town.items()]
    return sorted(out, key=lambda m: (-m["level"], m["municipality_code"]))


def gauge_thresholds(ctx: ServiceContext) -> dict[str, dict[str, float]]:
    """Gauge id -> its thresholds in metres, from the river_gauge source blocks the service runs."""
    sources = ctx.extra.get("sources", ctx.config.sources)
    out: dict[str, dict[str, float]] = {}
    for block in sources:
        if block.get("kind") != "river_gauge":
            continue
        for gauge in block.get("gauges") or []:
            thresholds = gauge.get("thresholds_m") or {}
            out[str(gauge.get("id"))] = {k: float(v) for k, v in dict(thresholds).items() if v is not None}
    return out


THRESHOLD_LEVELS: Final = (("standby", 1, "threshold.standby"), ("caution", 2, "threshold.caution"),
                           ("evacuation_judgement", 3, "threshold.evacuation"), ("danger", 4, "threshold.danger"))


def rivers_data(session: Session, lang: str, now: datetime,
                thresholds: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """Each gauge: latest level, its four thresholds, the last 24 hours, and the forecast where it is useful."""
    series = observations.gauge_series(session, now - RIVER_WINDOW, now)
    out = []
    for g in observations.latest_gauges(session):
        limits = thresholds.get(g.gauge_id, {})
        points = series.get(g.gauge_id, [])
        out.append({
            "gauge_id": g.gauge_id, "river": _place(g.river, lang), "station": _place(_station(g.name, g.river), lang),
            "level_m": g.level_m, **_level(g.warning_level), "trend_m_per_h": g.trend_m_per_h, "stale": g.stale,
            "observed_at": g.observed_at.isoformat(), "observed": _time(g.observed_at, lang),
            "thresholds": [{"key": key, "level": level, "name": message(lang, msgid), "m": limits[key]}
                           for key, level, msgid in THRESHOLD_LEVELS if key in limits],
            "series": [[t.isoformat(), v] for t, v in points],
            "forecast": outlook(points) if not g.stale else [],
        })
    return sorted(out, key=lambda r: (-r["level"], r["gauge_id"]))


def _station(name: str, river: str) -> str:
    """The gauge's own name: gauges are named 「雲出川 大仰」 and the river is shown beside it."""
    return name.removeprefix(river).strip() or name


def cameras_data(session: Session, lang: str, now: datetime) -> list[dict[str, Any]]:
    """The latest still of each camera with its time; stale when the camera says so or it is old."""
    out = []
    for row in observations.latest_cameras(session):
        props = camera_feature(row)["properties"]
        stale = row.status != "ok" or now - row.observed_at > CAMERA_STALE_AFTER
        version = int(row.observed_at.timestamp())  # a new still has a new time: the browser fetches it again
        out.append({"camera_id": row.camera_id, "name": _place(row.name, lang), "status": row.status,
                    "stale": stale, "observed_at": row.observed_at.isoformat(), "taken": _time(row.observed_at, lang),
                    "image_url": f"{props['image_url']}?v={version}",
                    "thumbnail_url": f"{props['thumbnail_url']}?v={version}"})
    return out


def _intensity(code: str | None, lang: str) -> str:
    label = INTENSITY_LABELS.get(code or "")
    return message(lang, f"term.{label}") if label else str(code or "-")


def quake_data(session: Session, lang: str, now: datetime) -> dict[str, Any]:
    """The latest earthquake (intensity by Mie area) and the tsunami warnings in force."""
    quake: dict[str, Any] | None = None
    for report_id, report_datetime, items in observations.latest_earthquakes(session):
        hypo = next((i for i in items if i.get("type") == "earthquake"), None)
        if hypo is None:
            continue
        areas = [i for i in items if i.get("type") == "intensity" and i.get("scope") == "area"
                 and str(i.get("pref_code") or "") == MIE_PREF_CODE]
        quake = {"report_id": report_id, "origin_time": hypo.get("origin_time"),
                 "time": _time(hypo.get("origin_time") or report_datetime, lang),
                 "hypocenter": _place(str(hypo.get("hypocenter_name") or ""), lang),
                 "magnitude": hypo.get("magnitude"), "depth_km": hypo.get("depth_km"),
                 "max_int": hypo.get("max_int"), "max_int_label": _intensity(hypo.get("max_int"), lang),
                 "areas": [{"code": a.get("code"), "name": _place(str(a.get("name") or ""), lang),
                            "max_int": a.get("max_int"), "label": _intensity(a.get("max_int"), lang)}
                           for a in areas]}
        break
    tsunami = []
    for alert in queries.active_alerts(session, now, 100):
        if alert.hazard == "tsunami":
            text = render_alert(alert, lang)
            tsunami.append({"alert_id": alert.id, "headline": text.headline, "area": text.area_desc,
                            "instruction": text.instruction, **_level(alert.level)})
    return {"earthquake": quake, "tsunami": tsunami}


async def section(ctx: ServiceContext, name: str, lang: str) -> Any:
    """The data of one section (one of SECTIONS) in ``lang``."""
    now = ctx.clock()
    if name == "warnings":
        return await ctx.store.read(lambda s: warnings_data(s, lang))
    if name == "evacuations":
        return await ctx.store.read(lambda s: evacuations_data(s, lang))
    if name == "rivers":
        limits = gauge_thresholds(ctx)
        return await ctx.store.read(lambda s: rivers_data(s, lang, now, limits))
    if name == "cameras":
        return await ctx.store.read(lambda s: cameras_data(s, lang, now))
    if name == "quake":
        return await ctx.store.read(lambda s: quake_data(s, lang, now))
    raise KeyError(name)


async def section_api(request: web.Request) -> web.Response:
    """GET /api/public/{section}?lang=xx: one section of the public page as JSON, in the reader's language."""
    ctx = request.app[CTX]
    name, lang = request.match_info["section"], request.query.get("lang", "ja")
    if name not in SECTIONS:
        raise web.HTTPNotFound(text='{"error": "no such section"}', content_type="application/json")
    if lang not in languages(ctx):
        raise web.HTTPBadRequest(text='{"error": "unknown language"}', content_type="application/json")
    body = {"section": name, "lang": lang, "updated": ctx.clock().isoformat(), "data": await section(ctx, name, lang)}
    return web.json_response(body, headers={"Cache-Control": "no-cache", "Vary": "Accept-Encoding"})


def add_routes(app: web.Application) -> None:
    """Mount the section APIs."""
    app.router.add_get("/api/public/{section}", section_api)
