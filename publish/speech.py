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

# espeak-ng voices; Tagalog has none, so English is read (the text stays Tagalog in print).
VOICES: Final = {"ja": "ja", "ja-easy": "ja", "en": "en-us", "pt": "pt-br", "zh-Hans": "cmn", "ko": "ko",
                 "es": "es", "tl": "en-us", "vi": "vi"}
_RUBY = re.compile(r"[\u3005\u4e00-\u9fff]+\(([\u3041-\u309f・ ]+)\)")
SYNTH_TIMEOUT_S: Final = 30


def speech_form(text: str) -> str:
    """Replace 漢字(かな) ruby with the reading so a voice reads each word once."""
    return _RUBY.sub(r"\1", text)


def available() -> bool:
    """Whether espeak-ng is installed on this machine."""
    return shutil.which("espeak-ng") is not None


def synthesize(text: str, lang: str, output: Path) -> Path | None:
    """Write ``text`` read aloud in ``lang`` to ``output`` (WAV); None when espeak-ng is missing or fails."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        log.info("speech_unavailable reason=espeak-ng-not-installed")
        return None
    voice = VOICES[check_language(lang)]
    try:
        subprocess.run([exe, "-v", voice, "-w", str(output), "--", text], check=True,
                       capture_output=True, timeout=SYNTH_TIMEOUT_S)
    except (subprocess.SubprocessError, OSError) as err:
        log.warning("speech_synthesis_failed lang=%s error=%s", lang, err)
        return None
    return output
