"""Residents' alert subscriptions: sign up with double opt-in, confirm, and unsubscribe in one click.

Sign-up makes a pending subscription and sends a confirmation request through its own channel: an e-mail
with a link, or a signed webhook POST whose challenge the receiver echoes (or whose ``confirm_url`` a person
opens), so nobody can sign up an address or a URL that is not theirs. Nothing is delivered before
confirmation, and a sign-up left unconfirmed for ``delivery.confirm_ttl_h`` expires. One pending sign-up per
address at a time, so the form cannot be used to flood a third party.

The unsubscribe token given at sign-up is stored only as its SHA-256 hash; the links in messages are derived
from the subscription's key (publish.channels.links). Confirm and unsubscribe links show a page with a button
on GET and act on POST (RFC 8058 one-click), so a mail scanner that follows links changes nothing. Webhook
URLs pointing into private networks are refused (SSRF) unless ``delivery.allow_private_webhooks`` is set.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta
from typing import Any, Final

from aiohttp import web
from sqlalchemy.orm import Session

from bosai.context import ServiceContext
from bosai.notify import build_channels
from bosai.web.api import languages
from bosai.web.keys import CTX
from bosai.web.params import bad_request
from bosai.web.render import Safe, esc, html_response, join, render
from bosai.web.subscribe_text import labels
from bosai.web.ui_text import HTML_LANG, LANGUAGE_NAMES
from kernel.config import AppConfig
from kernel.errors import DeliveryError, MalformedURLError, UnsafeURLError
from kernel.store import subscriptions as stored
from publish import areas as mie
from publish.channels import Channel, Confirmable, Target
from publish.channels.links import check_link_token, link_token
from publish.channels.webhook import check_url
from publish.municipalities import by_code
from publish.places import localize_place
from publish.subscriptions import confirm, end, pending_for, subscribe, unsubscribe

log = logging.getLogger(__name__)

CHANNELS: Final = web.AppKey("subscription_channels", dict)


def _prefecture_municipalities() -> frozenset[str]:
    """The JIS codes of the configured prefecture's municipalities (from the JMA area tables)."""
    return mie.municipalities(mie.table().prefecture_area)
EMAIL: Final = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                          r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
SUB_ID: Final = re.compile(r"\d{1,12}", re.ASCII)
MAX_EMAIL: Final = 254
MAX_URL: Final = 2048
MAX_TOKEN: Final = 128
FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


class SignUpError(Exception):
    """A sign-up refused: the field named at the start of ``message``, the status, and a label for the page."""

    def __init__(self, message: str, status: int = 400, label: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.label = message, status, label


def token_hash(token: str) -> str:
    """The stored form of an unsubscribe token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def _target(channel: str, target: Any, config: AppConfig) -> str:
    """The checked webhook URL or e-mail address, or a SignUpError saying what is wrong with it."""
    if not isinstance(target, str) or not target.strip():
        raise SignUpError("target: expected a webhook URL or an e-mail address")
    target = target.strip()
    if channel == "email":
        if not config.delivery.smtp_host:
            raise SignUpError("channel: e-mail delivery is not configured on this server; use a webhook")
        if len(target) > MAX_EMAIL or not EMAIL.fullmatch(target):
            raise SignUpError("target: not a valid e-mail address")
        return target
    if len(target) > MAX_URL:
        raise SignUpError(f"target: URL longer than {MAX_URL} characters")
    if any(ord(c) < 33 or ord(c) == 127 for c in target):
        raise SignUpError("target: URL contains spaces or control characters")
    try:  # parsed once: what is stored, and later connected to, is exactly what was checked
        checked = await check_url(target, allow_private=config.delivery.allow_private_webhooks)
    except MalformedURLError as err:
        raise SignUpError(f"target: not a valid webhook URL: {err}") from err
    except UnsafeURLError as err:
        raise SignUpError("target: webhook URL must be http(s) and reach a public address") from err
    except (DeliveryError, ValueError, UnicodeError) as err:
        raise SignUpError("target: webhook host cannot be resolved") from err
    return str(checked)


def _areas(value: Any) -> list[str]:
    """Municipality codes of Mie (5-digit JIS), de-duplicated; empty means the whole prefecture."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise SignUpError("areas: expected a list of 5-digit municipality codes (strings)")
    unknown = [a for a in value if a not in _prefecture_municipalities()]
    if unknown:
        raise SignUpError("areas: not a municipality code of Mie: " + ", ".join(a[:8] for a in unknown[:5]))
    return sorted(set(value))


def _ttl(ctx: ServiceContext) -> timedelta:
    return timedelta(hours=ctx.config.delivery.confirm_ttl_h)


async def _sign_up(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    """Validate, store a pending subscription, send its confirmation request; the JSON answer."""
    ctx = request.app[CTX]
    channel = data.get("channel")
    if channel not in ("webhook", "email"):
        raise SignUpError("channel: expected webhook or email")
    language = data.get("language")
    if language not in languages(ctx):
        raise SignUpError("language: expected one of " + ", ".join(languages(ctx)))
    areas = _areas(data.get("areas"))
    target = await _target(channel, data.get("target"), ctx.config)
    sender = request.app[CHANNELS].get(channel)
    if not isinstance(sender, Confirmable):
        raise SignUpError(f"channel: {channel} delivery is not available on this server")
    token, now, ttl = secrets.token_urlsafe(32), ctx.clock(), _ttl(ctx)

    def add(session: Session) -> tuple[int, str] | None:
        if pending_for(session, channel, target, now, ttl) is not None:
            return None
        sub = subscribe(session, channel=channel, target=target, language=language, areas=areas, now=now)
        sub.unsubscribe_token_hash = token_hash(token)
        session.flush()
        return sub.id, sub.secret or ""

    made = await ctx.store.write(add)
    if made is None:
        raise SignUpError("target: a confirmation request was already sent to this address; follow its link, "
                          "or sign up again after it expires", 409, "already_pending")
    sub_id, key = made
    try:
        echoed = await sender.request_confirmation(Target(sub_id, channel, target, language, key),
                                                   hours=ctx.config.delivery.confirm_ttl_h)
    except DeliveryError as err:
        await ctx.store.write(lambda s: _end_by_id(s, sub_id))
        log.warning("subscription_confirmation_failed id=%d channel=%s error=%s", sub_id, channel, err)
        if channel == "webhook":
            raise SignUpError("target: the webhook did not accept the confirmation request (it must answer "
                              "a POST with 2xx)") from err
        raise SignUpError("channel: the confirmation e-mail could not be sent now; try again later", 503) from err
    status = "pending"
    if echoed and await ctx.store.write(
            lambda s: confirm(s, sub_id, link_token(key, "confirm", sub_id), now, ttl) is not None):
        status = "confirmed"
    log.info("subscription_created id=%d channel=%s language=%s areas=%d status=%s", sub_id, channel, language,
             len(areas), status)
    body = {"id": sub_id, "unsubscribe_token": token, "channel": channel, "language": language, "areas": areas,
            "status": status}
    if channel == "webhook":
        body["signing_secret"] = key  # shown once: the receiver checks X-Bosai-Signature with it
    return body


def _end_by_id(session: Session, sub_id: int) -> None:
    sub = stored.get(session, sub_id)
    if sub is not None:
        end(sub)


async def _form_data(request: web.Request) -> tuple[dict[str, Any], str]:
    """The public page's form as a sign-up body, and the page language to answer in."""
    form = await request.post()
    lang = str(form.get("lang") or "ja")
    area = str(form.get("area") or "")
    return ({"channel": form.get("channel"), "target": form.get("target"), "language": form.get("language"),
             "areas": [area] if area else []}, lang)


def _page(lang: str, title: str, message: str, *, form: Safe | None = None, status: int = 200) -> web.Response:
    t = labels(lang)
    body = render("subscription.html", lang=HTML_LANG.get(lang, lang), title=title, message=message,
                  form=form or Safe(""),
                  back=f"/public/{lang}", t_back=t["back"])
    return html_response(body, status)


async def create(request: web.Request) -> web.Response:
    """POST /api/subscriptions: JSON {channel, target, language, areas} -> 201 with id, status (pending until
    confirmed) and unsubscribe token; the public page's form -> an HTML page in its language."""
    is_form = request.content_type in FORM_TYPES
    lang = "en"
    try:
        if is_form:
            data, lang = await _form_data(request)
        else:
            try:
                data = await request.json()
            except (ValueError, RecursionError) as err:
                raise SignUpError("body: expected a JSON object") from err
            if not isinstance(data, dict):
                raise SignUpError("body: expected a JSON object")
        body = await _sign_up(request, data)
    except SignUpError as err:
        if is_form:
            t = labels(lang)
            return _page(lang, t["error"], t[err.label] if err.label else err.message, status=err.status)
        return web.json_response({"error": err.message}, status=err.status)
    if is_form:
        t = labels(lang)
        key = ("check_email" if body["channel"] == "email"
               else "webhook_confirmed" if body["status"] == "confirmed" else "webhook_pending")
        return _page(lang, t["heading"], t[key], status=201)
    return web.json_response(body, status=201)


def _sub_id(request: web.Request) -> int:
    raw = request.match_info["sub_id"]
    if not SUB_ID.fullmatch(raw):
        raise bad_request("id: expected an integer")
    return int(raw)


async def _token(request: web.Request) -> str:
    token = request.query.get("token", "")
    if not token and request.content_type in FORM_TYPES:
        token = str((await request.post()).get("token") or "")
    return token if 0 < len(token) <= MAX_TOKEN else ""


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


async def _link(request: web.Request, purpose: str) -> tuple[int, str, str, bool]:
    """(id, token, language, whether the link is valid now) of a confirm or unsubscribe link."""
    ctx = request.app[CTX]
    sub_id, token = _sub_id(request), await _token(request)
    now, ttl = ctx.clock(), _ttl(ctx)

    def look(session: Session) -> tuple[str, bool]:
        sub = stored.get(session, sub_id)
        if sub is None:
            return "", False
        valid = (sub.active and check_link_token(sub.secret, purpose, sub_id, token)
                 and (purpose != "confirm" or sub.confirmed_at is not None or sub.created_at > now - ttl))
        return sub.language, valid

    lang, valid = await ctx.store.read(look)
    query_lang = request.query.get("lang", "")
    return sub_id, token, lang or (query_lang if query_lang in LANGUAGE_NAMES else "ja"), valid


def _button(action: str, token: str, label: str, *, one_click: bool = False) -> Safe:
    """A one-button form; the unsubscribe one posts what a mail client's one-click unsubscribe posts."""
    extra = '<input type="hidden" name="List-Unsubscribe" value="One-Click">' if one_click else ""
    return Safe(f'<form method="post" action="{esc(action)}"><input type="hidden" name="token" value="{esc(token)}">'
                f'{extra}<button type="submit">{esc(label)}</button></form>')


async def confirm_page(request: web.Request) -> web.Response:
    """GET /api/subscriptions/{id}/confirm?token=: a page whose button confirms (a link scanner confirms nothing)."""
    sub_id, token, lang, valid = await _link(request, "confirm")
    t = labels(lang)
    if not valid:
        return _page(lang, t["confirm_title"], t["bad_link"], status=404)
    return _page(lang, t["confirm_title"], t["note"],
                 form=_button(f"/api/subscriptions/{sub_id}/confirm", token, t["confirm_button"]))


async def confirm_post(request: web.Request) -> web.Response:
    """POST /api/subscriptions/{id}/confirm (token in the query or the form): start the alerts."""
    ctx = request.app[CTX]
    sub_id, token, lang, _ = await _link(request, "confirm")
    now, ttl = ctx.clock(), _ttl(ctx)
    done = await ctx.store.write(lambda s: confirm(s, sub_id, token, now, ttl) is not None)
    t = labels(lang)
    if _wants_json(request):
        if not done:
            return web.json_response({"error": "no pending subscription with this id and token"}, status=404)
        return web.json_response({"id": sub_id, "status": "confirmed"})
    if not done:
        return _page(lang, t["confirm_title"], t["bad_link"], status=404)
    log.info("subscription_confirmed id=%d", sub_id)
    return _page(lang, t["confirm_title"], t["confirmed"])


async def unsubscribe_page(request: web.Request) -> web.Response:
    """GET /api/subscriptions/{id}/unsubscribe?token=: a page with the unsubscribe button."""
    sub_id, token, lang, valid = await _link(request, "unsubscribe")
    t = labels(lang)
    if not valid:
        return _page(lang, t["unsubscribe_title"], t["bad_link"], status=404)
    action = f"/api/subscriptions/{sub_id}/unsubscribe?token={token}"
    return _page(lang, t["unsubscribe_title"], "", form=_button(action, token, t["unsubscribe_button"], one_click=True))


async def unsubscribe_post(request: web.Request) -> web.Response:
    """POST /api/subscriptions/{id}/unsubscribe?token= (RFC 8058 one-click: ``List-Unsubscribe=One-Click``)."""
    ctx = request.app[CTX]
    sub_id, token, lang, _ = await _link(request, "unsubscribe")
    done = await ctx.store.write(lambda s: unsubscribe(s, sub_id, token))
    t = labels(lang)
    if _wants_json(request):
        if not done:
            return web.json_response({"error": "no active subscription with this id and token"}, status=404)
        return web.json_response({"id": sub_id, "status": "ended"})
    if not done:
        return _page(lang, t["unsubscribe_title"], t["bad_link"], status=404)
    log.info("subscription_ended id=%d via=link", sub_id)
    return _page(lang, t["unsubscribe_title"], t["unsubscribed"])


async def delete(request: web.Request) -> web.Response:
    """DELETE /api/subscriptions/{id}?token=...: end the subscription and forget its address.

    The token is the one given at sign-up or the one in the messages' unsubscribe links.
    """
    ctx = request.app[CTX]
    sub_id = _sub_id(request)
    token = request.query.get("token", "")
    if not token or len(token) > MAX_TOKEN:
        raise bad_request("token: the unsubscribe token given at sign-up is required")

    def finish(session: Session) -> bool:
        sub = stored.get(session, sub_id)
        if sub is None or not sub.active:
            return False
        by_hash = bool(sub.unsubscribe_token_hash) and hmac.compare_digest(sub.unsubscribe_token_hash or "",
                                                                           token_hash(token))
        if not by_hash and not check_link_token(sub.secret, "unsubscribe", sub_id, token):
            return False
        end(sub)  # deliveries keep their row; the address is erased
        session.flush()
        return True

    if not await ctx.store.write(finish):
        raise web.HTTPNotFound(text='{"error": "no active subscription with this id and token"}',
                               content_type="application/json")
    log.info("subscription_ended id=%d", sub_id)
    return web.Response(status=204)


def sign_up_form(lang: str, langs: tuple[str, ...], *, email: bool = True) -> Safe:
    """The public page's sign-up form (plain HTML: it works without JavaScript and with a screen reader).

    ``email``: whether e-mail delivery is configured; without it only webhooks are offered.
    """
    t = labels(lang)
    towns = [(code, by_code(code)) for code in sorted(_prefecture_municipalities())]
    areas = join([Safe(f'<option value="">{esc(t["all_areas"])}</option>')]
                 + [Safe(f'<option value="{esc(code)}">{esc(localize_place(m.name, lang))}</option>')
                    for code, m in towns if m is not None], "")
    options = join([Safe(f'<option value="{esc(code)}"{" selected" if code == lang else ""}>{esc(name)}</option>')
                    for code, name in LANGUAGE_NAMES.items() if code in langs], "")
    return Safe(
        f'<form class="sign-up" method="post" action="/api/subscriptions">'
        f'<input type="hidden" name="lang" value="{esc(lang)}">'
        f'<p class="note">{esc(t["note"])}</p>'
        f'<p><label for="sub-area">{esc(t["area"])}</label> <select id="sub-area" name="area">{areas}</select></p>'
        f'<p><label for="sub-language">{esc(t["language"])}</label> '
        f'<select id="sub-language" name="language">{options}</select></p>'
        f'<fieldset><legend>{esc(t["channel"])}</legend>'
        + (f'<label><input type="radio" name="channel" value="email" checked> {esc(t["email"])}</label> '
           if email else "")
        + f'<label><input type="radio" name="channel" value="webhook"{"" if email else " checked"}> '
        f'{esc(t["webhook"])}</label></fieldset>'
        f'<p><label for="sub-target">{esc(t["address"])}</label> '
        f'<input id="sub-target" name="target" type="text" inputmode="email" autocomplete="email" required '
        f'maxlength="{MAX_URL}"></p>'
        f'<p><button type="submit">{esc(t["submit"])}</button></p></form>'
    )


def add_routes(app: web.Application) -> None:
    """Mount the subscription endpoints (no cookie, so no CSRF token: links in e-mails must work)."""
    ctx = app[CTX]
    channels: dict[str, Channel] = ctx.extra.get("delivery_channels") or build_channels(
        ctx.config.delivery, ctx.config.publish.base_url)
    app[CHANNELS] = channels
    app.router.add_post("/api/subscriptions", create)
    app.router.add_delete(r"/api/subscriptions/{sub_id}", delete)
    app.router.add_get(r"/api/subscriptions/{sub_id}/confirm", confirm_page)
    app.router.add_post(r"/api/subscriptions/{sub_id}/confirm", confirm_post)
    app.router.add_get(r"/api/subscriptions/{sub_id}/unsubscribe", unsubscribe_page)
    app.router.add_post(r"/api/subscriptions/{sub_id}/unsubscribe", unsubscribe_post)
