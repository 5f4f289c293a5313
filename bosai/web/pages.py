"""The command-center page: a Leaflet map of every layer, live over SSE, with the triage and evacuation panels."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from bosai.web.keys import AUTH, CTX, MIE
from bosai.web.render import html_response, json_for_attribute, render

HAZARDS: Final = ("flood", "landslide", "earthquake", "tsunami", "fire", "road_blocked", "power_water_outage",
                  "casualty_rescue", "evacuation_shelter", "other_damage")


def hazard_labels() -> dict[str, list[str]]:
    """Each hazard code's Japanese and English names, from the i18n catalogs."""
    from publish.catalog import has_message, message

    def name(lang: str, hazard: str) -> str:
        return message(lang, f"hazard.{hazard}") if has_message(lang, f"hazard.{hazard}") else hazard

    return {h: [name("ja", h), name("en", h)] for h in HAZARDS}


async def command_center(request: web.Request) -> web.Response:
    """GET /: the operators' live map (triage actions need a login, done in the page)."""
    from bosai.web.evacuations import REASON_LABELS
    from bosai.web.login import operator_scope
    from publish.colors import LEVEL_COLORS

    ctx, auth, mie = request.app[CTX], request.app[AUTH], request.app[MIE]
    sess = auth.session_of(request)
    scope = await operator_scope(request, sess.username) if sess else None
    resp = html_response("")
    settings = {
        "tileUrl": ctx.config.web.tile_url,
        "tileAttribution": ctx.config.web.tile_attribution,
        "levelColors": {str(k): v for k, v in LEVEL_COLORS.items()},
        "hazards": list(HAZARDS),
        "hazardLabels": hazard_labels(),  # bilingual filter and card titles, not codes like road_blocked
        "confirmGraceMs": int(ctx.config.web.confirm_grace_s * 1000),
        "municipalities": [[m.jis_code, m.name] for m in mie.municipalities().values()],
        "user": sess.username if sess else None,
        "userMunicipality": scope,  # the evacuation entry offers only this municipality (None: all 29)
        "now": ctx.clock().isoformat(),  # the service clock (the demo's day): the evacuation form's default time
        "evacuationReasons": [[key, ja, en] for key, (ja, en) in REASON_LABELS.items()],
    }
    resp.text = render("index.html", csrf=auth.csrf_token(request, resp), settings=json_for_attribute(settings),
                       attribution=ctx.config.web.tile_attribution, credits=" ".join(mie.credits()))
    return resp


async def level_css(_request: web.Request) -> web.Response:
    """GET /levels.css: one class per 警戒レベル (lv-0 .. lv-5), generated from publish.colors."""
    from publish.colors import level_color, level_text_color

    rules = [f".lv-{n}{{background:{level_color(n)};color:{level_text_color(n)}}}" for n in range(6)]
    return web.Response(text="\n".join(rules) + "\n", content_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})


def add_routes(app: web.Application) -> None:
    """Mount the command-center page and its generated stylesheet."""
    app.router.add_get("/", command_center)
    app.router.add_get("/levels.css", level_css)
