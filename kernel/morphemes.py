"""Morphemes of a text from MeCab (fugashi, unidic-lite), fit for a process that runs for weeks.

fugashi's node API (``tagger(text)``) interns the surface of every distinct word it has tagged for the
tagger's life, and a fresh tagger maps the dictionary again without ever unmapping the old one. In a stream
every post brings new numbers, names and links, so that cache grew the service by about 6 MB a minute at
400 posts/s (issue 17 soak). MeCab's text output, asked for byte offsets and a few dictionary fields, keeps
nothing between calls. One tagger serves the whole process (the dictionary is mapped once), under a lock: a
MeCab tagger used by two threads at a time is not safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# One line per morpheme: the surface's byte offsets, then unidic-lite's pos1, pos2, pos3 and kana reading (see
# its dicrc). Unknown words have no reading column, and asking MeCab for a missing column crashes the process.
_WORD = "%ps\\t%pe\\t%f[0]\\t%f[1]\\t%f[2]\\t%f[17]\\n"
_UNKNOWN = "%ps\\t%pe\\t%f[0]\\t%f[1]\\t%f[2]\\n"
_FIELDS = 6


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One word: its characters ``text[start:end]`` and what the dictionary says of it."""

    surface: str
    start: int  # character offsets; whitespace MeCab skips lies between two morphemes
    end: int
    pos: tuple[str, str, str]  # pos1..pos3, e.g. ("名詞", "固有名詞", "地名"); "*" where the dictionary has none
    kana: str  # katakana reading; "" for words the dictionary does not know


_lock = threading.Lock()


def dictionary_dir() -> Path:
    """The MeCab dictionary every tagger of the project uses (the classifier's vocab was built with it)."""
    import unidic_lite

    return Path(unidic_lite.DICDIR)


@cache
def _tagger() -> Any:
    """The process's one tagger, printing one line per morpheme; callers hold ``_lock``."""
    import fugashi

    d = dictionary_dir()
    formats = f'-O "" -F "{_WORD}" -U "{_UNKNOWN}" -B "" -E ""'  # -O "": our line, not the dicrc's own format
    return fugashi.GenericTagger(f'-r "{d / "mecabrc"}" -d "{d}" {formats}')


def _tagged(text: str) -> tuple[bytes, list[str]]:
    """``text`` as UTF-8 (MeCab's offsets count its bytes) and MeCab's line for each morpheme."""
    with _lock:
        output = _tagger().parse(text)
    return text.encode(), output.splitlines()


def words(text: str) -> list[str]:
    """The surfaces of the morphemes of ``text``: the classifier's word split, without the rest."""
    data, lines = _tagged(text)
    return [data[int(start) : int(end)].decode() for start, end, _ in (line.split("\t", 2) for line in lines)]


def morphemes(text: str) -> list[Morpheme]:
    """The best-path morphemes of ``text``, in order."""
    data, lines = _tagged(text)
    out: list[Morpheme] = []
    chars = done = 0
    for line in lines:
        start, end, pos1, pos2, pos3, kana = (line.split("\t") + [""] * _FIELDS)[:_FIELDS]  # parse() strips a last ""
        s, e = int(start), int(end)
        chars += len(data[done:s].decode())
        surface = data[s:e].decode()
        out.append(Morpheme(surface, chars, chars + len(surface), (pos1 or "*", pos2 or "*", pos3 or "*"), kana))
        chars, done = chars + len(surface), e
    return out
