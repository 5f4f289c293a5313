"""An alert's text and speech forms over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from required_tools import require_tool
from web_factories import add_alert

from bosai.web.alert_forms import listen_button
from bosai.web.app import create_app
from publish import speech


@pytest.fixture
async def client(aiohttp_client, ctx):
    ctx.store.submit(lambda s: add_alert(s)).result(10)
    return await aiohttp_client(create_app(ctx))


async def test_text_form_states_the_level_in_words(client) -> None:
    resp = await client.get("/api/alerts/jma-1-heavy_rain-issued/text?lang=en")
    assert resp.status == 200
    assert resp.content_type == "text/plain" and resp.charset == "utf-8"
    assert resp.headers["Content-Language"] == "en"
    body = await resp.text()
    assert "level 3" in body and "Tsu City" in body
    ja = await (await client.get("/api/alerts/jma-1-heavy_rain-issued/text")).text()
    assert "警戒レベル3" in ja and "津市" in ja and ja != body


async def test_text_form_errors(client) -> None:
    missing = await client.get("/api/alerts/nope/text?lang=en")
    assert missing.status == 404 and "no such alert" in (await missing.json())["error"]
    bad_lang = await client.get("/api/alerts/jma-1-heavy_rain-issued/text?lang=xx")
    assert bad_lang.status == 400 and (await bad_lang.json())["error"].startswith("lang")


async def test_speech_is_404_with_a_reason_without_an_engine(client, monkeypatch) -> None:
    monkeypatch.setattr(speech, "engine_for", lambda _lang: None)
    resp = await client.get("/api/alerts/jma-1-heavy_rain-issued/speech.wav?lang=en")
    assert resp.status == 404
    assert "no speech engine" in (await resp.json())["error"]


async def test_speech_wav_is_made_once_and_cached(client, ctx, espeak) -> None:
    url = "/api/alerts/jma-1-heavy_rain-issued/speech.wav?lang=en"
    first = await client.get(url)
    assert first.status == 200 and first.headers["Content-Type"] == "audio/wav"
    wav = await first.read()
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and len(wav) > 10_000
    cached = list((Path(ctx.config.service.data_dir) / "speech").iterdir())
    assert len(cached) == 1 and cached[0].suffix == ".wav"
    stamp = cached[0].stat().st_mtime_ns
    assert await (await client.get(url)).read() == wav
    assert cached[0].stat().st_mtime_ns == stamp  # served from the cache, not made again
    other = await client.get("/api/alerts/jma-1-heavy_rain-issued/speech.wav?lang=ja")
    assert other.status == 200 and len(list(cached[0].parent.iterdir())) == 2


@pytest.mark.parametrize(("lang", "engine"), [("ja", "open_jtalk"), ("ja-easy", "open_jtalk"), ("vi", "espeak-ng")])
async def test_speech_names_the_engine_that_read_it(client, lang, engine) -> None:
    require_tool("open_jtalk")
    require_tool("espeak-ng")
    resp = await client.get(f"/api/alerts/jma-1-heavy_rain-issued/speech.wav?lang={lang}")
    assert resp.status == 200 and resp.headers["X-Speech-Engine"] == engine
    assert resp.headers["Content-Language"] == lang and resp.headers["Cache-Control"] == "no-cache"
    assert "ETag" in resp.headers and "Content-Encoding" not in resp.headers  # WAV is not gzipped


async def test_tagalog_has_no_speech_form(client) -> None:
    resp = await client.get("/api/alerts/jma-1-heavy_rain-issued/speech.wav?lang=tl")
    assert resp.status == 404 and "no voice" in (await resp.json())["error"]


def test_play_button_names_itself_and_points_at_the_speech_form() -> None:
    button = listen_button("jma-1 x", "pt")
    assert 'data-speech="/api/alerts/jma-1%20x/speech.wav?lang=pt"' in button and ">Ouvir</button>" in button
    assert listen_button("a", "tl") == ""  # no voice for Tagalog: no button that would only fail
