"""An alert's text and speech forms over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_factories import add_alert

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


async def test_speech_is_404_with_a_reason_without_espeak(client, monkeypatch) -> None:
    monkeypatch.setattr(speech, "available", lambda: False)
    resp = await client.get("/api/alerts/jma-1-heavy_rain-issued/speech.wav?lang=en")
    assert resp.status == 404
    assert "espeak-ng" in (await resp.json())["error"]


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
