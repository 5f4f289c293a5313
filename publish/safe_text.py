"""Post text as operators are shown it: without invisible characters that change how it reads.

A post can carry bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE turns ``…txt.exe`` into ``…exe.txt``
on screen, and can reorder a place name or a number) and zero-width characters (hiding a word from a search
for it, or making two different posts look alike). They are taken out of what the API and the command-center
page show; the stored post keeps its original text, as evidence and for training.
"""

from __future__ import annotations

import re
from typing import Final

# Bidi embeddings/overrides (202A-202E), isolates (2066-2069), marks (200E, 200F, 061C), zero-width space,
# non-joiner and joiner (200B-200D), word joiner and invisible operators (2060-2064), BOM/ZWNBSP (FEFF),
# Mongolian vowel separator (180E), and deprecated format controls (206A-206F).
INVISIBLE: Final = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def for_display(text: str | None) -> str | None:
    """``text`` without bidi controls and zero-width characters (None stays None)."""
    return INVISIBLE.sub("", text) if text else text
