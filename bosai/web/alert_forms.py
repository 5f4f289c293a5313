"""An alert's accessible forms: plain text for screen readers and braille displays, and WAV speech.

The text form states the warning level in words (never by colour alone). Speech is made by Open JTalk
(Japanese) or espeak-ng (the others) and cached under ``<data_dir>/speech/``, keyed by a hash of the engine
and the spoken text. Pages show a play button per alert (:func:`listen_button`); a few lines in
``static/map_common.js`` play it, so the button works on both pages without page-specific code.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Final
from urllib.parse import quote

from aiohttp import web

from bosai.context import ServiceContext
from bosai.web.api import NO_CACHE, languages
from bosai.web.keys import CTX
from bosai.web.params import bad_request
from bosai.web.render import Safe, esc
from kernel.store.alerts import alert
from publish import speech
from publish.messages import RenderedAlert, render_alert

log = logging.getLogger(__name__)


def _not_found(message: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f'{{"error": "{message}"}}', content_type="application/json")


async def _rendered(request: web.Request) -> tuple[ServiceContext, RenderedAlert]:
    """The alert named in the path, rendered in ``?lang=`` (default ja), or a 400/404."""
    ctx = request.app[CTX]
    lang = request.query.get("lang", "ja")
    if lang not in languages(ctx):
        raise bad_request("lang: expected one of " + ", ".join(languages(ctx)))
    alert_id = request.match_info["alert_id"]

    found = await ctx.store.read(lambda s: alert(s, alert_id))
    if found is None:
        raise _not_found("no such alert")
    return ctx, render_alert(found, lang)


def text_form(rendered: RenderedAlert) -> str:
    """The plain-text form: level in words, what happened, what to do, where, and who says so."""
    return f"{rendered.accessible_text}\n\n{rendered.area_desc}\n"


async def text(request: web.Request) -> web.Response:
    """GET /api/alerts/{id}/text?lang=xx: the accessible plain-text form."""
    _ctx, rendered = await _rendered(request)
    return web.Response(text=text_form(rendered), content_type="text/plain", charset="utf-8",
                        headers={**NO_CACHE, "Content-Language": rendered.lang})


# The play button's name per language: a visible word, not only an icon, so screen readers announce it.
LISTEN: Final = {"ja": "読み上げる", "ja-easy": "よみあげる", "en": "Listen", "pt": "Ouvir", "zh-Hans": "朗读",
                 "ko": "듣기", "es": "Escuchar", "vi": "Nghe", "tl": "Pakinggan"}


def speech_url(alert_id: str, lang: str) -> str:
    """Where the alert's speech form is served."""
    return f"/api/alerts/{quote(alert_id, safe='')}/speech.wav?lang={quote(lang, safe='')}"


def listen_button(alert_id: str, lang: str, label: str | None = None) -> Safe:
    """A play button for the alert read aloud; empty where there is no voice for ``lang`` (Tagalog)."""
    if not speech.has_voice(lang):
        return Safe("")
    name = label or LISTEN.get(lang, LISTEN["en"])
    return Safe(f'<button type="button" class="speak" data-speech="{esc(speech_url(alert_id, lang))}" '
                f'aria-pressed="false"><span aria-hidden="true">&#9654;&#xFE0E; </span>{esc(name)}</button>')


def _synthesize_cached(rendered: RenderedAlert, folder: Path, engine: speech.Engine) -> speech.Speech | None:
    """The WAV of the alert's speech text, made once per engine and distinct text (written atomically)."""
    key = hashlib.sha256(f"{engine}\0{rendered.lang}\0{rendered.speech_text}".encode()).hexdigest()[:32]
    path = folder / f"{key}.wav"
    if path.exists():
        return speech.Speech(path, engine)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    os.close(fd)
    try:
        made = speech.synthesize_speech(rendered.speech_text, rendered.lang, Path(tmp))
        if made is None:
            return None
        Path(tmp).replace(path)
        return speech.Speech(path, made.engine)
    finally:
        Path(tmp).unlink(missing_ok=True)


async def speech_wav(request: web.Request) -> web.StreamResponse:
    """GET /api/alerts/{id}/speech.wav?lang=xx: the alert read aloud (404 without a voice or speech engine)."""
    ctx, rendered = await _rendered(request)
    if not speech.has_voice(rendered.lang):  # e.g. Tagalog: an English voice would misread it
        raise _not_found(f"no speech form for {rendered.lang}: there is no voice for this language yet")
    engine = speech.engine_for(rendered.lang)
    if engine is None or not speech.available(rendered.lang):
        raise _not_found("speech is not available on this server (no speech engine is installed)")
    folder = Path(ctx.config.service.data_dir) / "speech"
    made = await asyncio.to_thread(_synthesize_cached, rendered, folder, engine)
    if made is None:
        log.warning("speech_form_failed alert=%s lang=%s", rendered.alert_id, rendered.lang)
        raise web.HTTPServiceUnavailable(text='{"error": "speech synthesis failed"}',
                                         content_type="application/json")
    # An updated alert keeps its id but gets new words: caches revalidate (ETag of the WAV named by its hash).
    return web.FileResponse(made.path, headers={"Content-Type": "audio/wav", "Content-Language": rendered.lang,
                                                "X-Speech-Engine": made.engine,
                                                "Cache-Control": "no-cache"})


def add_routes(app: web.Application) -> None:
    """Mount the alert form endpoints."""
    app.router.add_get("/api/alerts/{alert_id}/text", text)
    app.router.add_get("/api/alerts/{alert_id}/speech.wav", speech_wav)
