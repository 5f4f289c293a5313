"""Voice form of an alert: text cleaned for text-to-speech, synthesised to WAV.

Japanese (ja, ja-easy) is read by Open JTalk (Debian's ``open-jtalk`` and its NAIST dictionary, with the
MMDAgent "Mei" HTS voice shipped in ``publish/data/voices``): espeak-ng reads Japanese kana by kana in a
robotic voice that residents find hard to follow. The other languages are read by espeak-ng. When Open JTalk
is missing, Japanese falls back to espeak-ng, so a resident still gets a voice. Measurements: docs/speech.md.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from kernel.languages import REGISTRY
from publish.catalog import check_language

log = logging.getLogger(__name__)

Engine = Literal["open_jtalk", "espeak-ng"]

# espeak-ng voices. Tagalog has none: an English voice would misread the Tagalog text, so no speech form
# is offered for tl until a Tagalog voice exists (the text form stays available).
VOICES: Final = {lang.code: lang.espeak_voice for lang in REGISTRY if lang.espeak_voice}
JTALK_LANGS: Final = frozenset({"ja", "ja-easy"})  # read by Open JTalk when it is installed
JTALK_DICT: Final = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")  # open-jtalk-mecab-naist-jdic
JTALK_VOICE: Final = Path(__file__).resolve().parent / "data" / "voices" / "mei_normal.htsvoice"  # CC BY 3.0
# 漢字(かな) ruby. The base may join kanji with 「・」 or ヶ/ケ (伊勢・三河湾, 霞ヶ浦) so that the whole base is
# replaced by its reading; stopping at 「・」 made the voice read 伊勢 twice.
_KANJI: Final = r"[\u3005\u4e00-\u9fff]"
_RUBY = re.compile(rf"{_KANJI}(?:[\u3005\u4e00-\u9fff・ヶケ]*{_KANJI})?\(([\u3041-\u309f・ー ]+)\)")
SYNTH_TIMEOUT_S: Final = 30


@dataclass(frozen=True)
class Speech:
    """A synthesised WAV and the engine that read it (reported in docs and the X-Speech-Engine header)."""

    path: Path
    engine: Engine


def speech_form(text: str) -> str:
    """Replace 漢字(かな) ruby with the reading so a voice reads each word once."""
    return _RUBY.sub(r"\1", text)


def has_voice(lang: str) -> bool:
    """Whether a speech form is offered for ``lang`` (a voice that can read that language exists)."""
    return check_language(lang) in VOICES


def jtalk_available() -> bool:
    """Whether Open JTalk, its dictionary and the shipped voice are all present."""
    return shutil.which("open_jtalk") is not None and JTALK_DICT.is_dir() and JTALK_VOICE.is_file()


def engine_for(lang: str) -> Engine | None:
    """The engine that reads ``lang`` on this machine, or None when there is no voice or no engine."""
    lang = check_language(lang)
    if lang not in VOICES:
        return None
    if lang in JTALK_LANGS and jtalk_available():
        return "open_jtalk"
    return "espeak-ng" if shutil.which("espeak-ng") is not None else None


def available(lang: str = "en") -> bool:
    """Whether a speech engine for ``lang`` is installed on this machine."""
    return engine_for(lang) is not None


def _command(engine: Engine, text: str, lang: str, output: Path) -> tuple[list[str], bytes | None]:
    """The argument list and standard input that make ``engine`` write ``text`` to ``output``."""
    if engine == "open_jtalk":
        # One line: Open JTalk reads each input line as its own utterance, with a long pause between.
        line = " ".join(text.split())
        return ([str(shutil.which("open_jtalk")), "-x", str(JTALK_DICT), "-m", str(JTALK_VOICE),
                 "-ow", str(output)], line.encode("utf-8"))
    return [str(shutil.which("espeak-ng")), "-v", VOICES[lang], "-w", str(output), "--", text], None


def synthesize_speech(text: str, lang: str, output: Path) -> Speech | None:
    """Write ``text`` read aloud in ``lang`` to ``output`` (WAV); None when no voice, no engine or it fails."""
    lang = check_language(lang)
    engine = engine_for(lang)
    if engine is None:
        reason = "no-voice" if lang not in VOICES else "no-engine-installed"
        log.info("speech_unavailable reason=%s lang=%s", reason, lang)
        return None
    args, stdin = _command(engine, text, lang, output)
    try:
        subprocess.run(args, input=stdin, check=True, capture_output=True, timeout=SYNTH_TIMEOUT_S)
    except (subprocess.SubprocessError, OSError) as err:
        log.warning("speech_synthesis_failed lang=%s engine=%s error=%s", lang, engine, err)
        return None
    if not output.exists() or output.stat().st_size <= 44:  # a bare WAV header: the engine read nothing
        log.warning("speech_synthesis_failed lang=%s engine=%s error=empty-output", lang, engine)
        return None
    return Speech(output, engine)


def synthesize(text: str, lang: str, output: Path) -> Path | None:
    """Write ``text`` read aloud in ``lang`` to ``output`` (WAV); None when no voice, no engine or it fails."""
    made = synthesize_speech(text, lang, output)
    return None if made is None else made.path
