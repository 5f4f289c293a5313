"""Voice form of an alert: text cleaned for text-to-speech, synthesised to WAV by espeak-ng when installed."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Final

from publish.catalog import check_language

log = logging.getLogger(__name__)

# espeak-ng voices. Tagalog has none: an English voice would misread the Tagalog text, so no speech form
# is offered for tl until a Tagalog voice exists (the text form stays available).
VOICES: Final = {"ja": "ja", "ja-easy": "ja", "en": "en-us", "pt": "pt-br", "zh-Hans": "cmn", "ko": "ko",
                 "es": "es", "vi": "vi"}
# 漢字(かな) ruby. The base may join kanji with 「・」 or ヶ/ケ (伊勢・三河湾, 霞ヶ浦) so that the whole base is
# replaced by its reading; stopping at 「・」 made the voice read 伊勢 twice.
_KANJI: Final = r"[\u3005\u4e00-\u9fff]"
_RUBY = re.compile(rf"{_KANJI}(?:[\u3005\u4e00-\u9fff・ヶケ]*{_KANJI})?\(([\u3041-\u309f・ー ]+)\)")
SYNTH_TIMEOUT_S: Final = 30


def speech_form(text: str) -> str:
    """Replace 漢字(かな) ruby with the reading so a voice reads each word once."""
    return _RUBY.sub(r"\1", text)


def has_voice(lang: str) -> bool:
    """Whether a speech form is offered for ``lang`` (a voice that can read that language exists)."""
    return check_language(lang) in VOICES


def available() -> bool:
    """Whether espeak-ng is installed on this machine."""
    return shutil.which("espeak-ng") is not None


def synthesize(text: str, lang: str, output: Path) -> Path | None:
    """Write ``text`` read aloud in ``lang`` to ``output`` (WAV); None when no voice, no espeak-ng or it fails."""
    voice = VOICES.get(check_language(lang))
    if voice is None:
        log.info("speech_unavailable reason=no-voice lang=%s", lang)
        return None
    exe = shutil.which("espeak-ng")
    if exe is None:
        log.info("speech_unavailable reason=espeak-ng-not-installed")
        return None
    try:
        subprocess.run([exe, "-v", voice, "-w", str(output), "--", text], check=True,
                       capture_output=True, timeout=SYNTH_TIMEOUT_S)
    except (subprocess.SubprocessError, OSError) as err:
        log.warning("speech_synthesis_failed lang=%s error=%s", lang, err)
        return None
    return output
