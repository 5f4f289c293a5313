"""Speech forms with the real engines: Open JTalk for Japanese, espeak-ng for the other languages.

No mocks: each language's alert is synthesised by the installed engine, and the WAV itself shows which engine
made it (Open JTalk's Mei voice writes 48 kHz, espeak-ng 22.05 kHz). Under BOSAI_REQUIRE_SERVERS=1 a missing
engine fails instead of skipping.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from required_tools import require_tool

from publish import speech
from publish.messages import render_alert

RATES = {"open_jtalk": 48_000, "espeak-ng": 22_050}  # sample rate each engine writes
EXPECTED = {"ja": "open_jtalk", "ja-easy": "open_jtalk", "en": "espeak-ng", "pt": "espeak-ng",
            "zh-Hans": "espeak-ng", "ko": "espeak-ng", "es": "espeak-ng", "vi": "espeak-ng", "tl": None}


@pytest.fixture
def engines() -> None:
    """Both speech engines, and Open JTalk's dictionary (fails instead of skipping under BOSAI_REQUIRE_SERVERS)."""
    require_tool("espeak-ng")
    require_tool("open_jtalk")
    if not speech.JTALK_DICT.is_dir():
        require_tool("open-jtalk-mecab-naist-jdic (dictionary)")
    assert speech.JTALK_VOICE.is_file(), "the Mei voice ships in publish/data/voices"


def _seconds(path: Path) -> tuple[int, float]:
    with wave.open(str(path)) as w:
        return w.getframerate(), w.getnframes() / w.getframerate()


@pytest.mark.parametrize("lang", list(EXPECTED))
def test_each_language_is_read_by_its_engine(sample_alerts, tmp_path, engines, lang) -> None:
    text = render_alert(sample_alerts[0], lang).speech_text
    assert speech.engine_for(lang) == EXPECTED[lang]
    made = speech.synthesize_speech(text, lang, tmp_path / f"{lang}.wav")
    if EXPECTED[lang] is None:  # Tagalog: no voice, no speech form (the text form stays)
        assert made is None and not (tmp_path / f"{lang}.wav").exists()
        return
    assert made is not None and made.engine == EXPECTED[lang]
    rate, seconds = _seconds(made.path)
    assert rate == RATES[made.engine], (lang, rate)
    assert seconds > 2.0, (lang, seconds)  # the whole message, not a word


def test_japanese_is_read_as_one_utterance(tmp_path, engines) -> None:
    one = speech.synthesize_speech("けいほう です。 にげて ください。", "ja", tmp_path / "one.wav")
    two = speech.synthesize_speech("けいほう です。\nにげて ください。", "ja", tmp_path / "two.wav")
    assert one is not None and two is not None
    assert abs(_seconds(one.path)[1] - _seconds(two.path)[1]) < 0.3  # the line break is no second utterance


def test_japanese_falls_back_to_espeak_without_open_jtalk(tmp_path, engines, monkeypatch) -> None:
    monkeypatch.setattr(speech, "JTALK_DICT", tmp_path / "no-dictionary")
    assert speech.engine_for("ja") == "espeak-ng"
    made = speech.synthesize_speech("けいほう です。", "ja", tmp_path / "ja.wav")
    assert made is not None and made.engine == "espeak-ng" and _seconds(made.path)[0] == RATES["espeak-ng"]


@pytest.mark.parametrize(("required", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_open_jtalk_fails_when_servers_are_required(monkeypatch, required, outcome) -> None:
    import shutil

    monkeypatch.setenv("BOSAI_REQUIRE_SERVERS", required)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(outcome, match="open_jtalk"):
        require_tool("open_jtalk")
