"""Morpheme boundaries and parts of speech from fugashi/unidic-lite, used to vet dictionary matches."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tokens:
    """Token start/end offsets in the tagged text, and the POS of each token by its start."""

    starts: frozenset[int]
    ends: frozenset[int]
    pos: dict[int, tuple[int, str, str, str]]  # start -> (end, pos1, pos2, pos3), e.g. (3, "名詞", "固有名詞", "地名")

    def aligned(self, start: int, end: int) -> tuple[bool, bool]:
        """Whether a span starts and ends on token boundaries."""
        return start in self.starts, end in self.ends

    def single(self, start: int, end: int) -> tuple[str, str] | None:
        """(pos2, pos3) of the span when it is exactly one token."""
        item = self.pos.get(start)
        return (item[2], item[3]) if item is not None and item[0] == end else None

    def ends_word(self, end: int) -> bool:
        """Whether a word may end at ``end``: no inflection follows (しまし|た is a verb, not 志摩市)."""
        item = self.pos.get(end)
        return item is None or item[1] not in ("助動詞", "動詞", "形容詞")


_lock = threading.Lock()


@cache
def _tagger() -> Any:
    """The process's one MeCab tagger, created on first use; callers hold ``_lock``.

    A tagger is not safe to share between threads without a lock, but one per thread maps the 260 MB
    unidic dictionary once per thread, so resident memory grew with every pool thread that geocoded.
    """
    import fugashi

    log.debug("tagger_created thread=%s", threading.current_thread().name)
    return fugashi.Tagger()


def tokenize(text: str) -> Tokens:
    """Tag ``text`` and return its token boundaries (whitespace skipped by MeCab is accounted for)."""
    starts: set[int] = set()
    ends: set[int] = set()
    pos: dict[int, tuple[int, str, str, str]] = {}
    offset = 0
    with _lock:  # the nodes point into the tagger's lattice: read them before another thread tags
        for word in _tagger()(text):
            offset += len(word.white_space)
            end = offset + len(word.surface)
            feature = word.feature
            starts.add(offset)
            ends.add(end)
            pos[offset] = (end, feature.pos1 or "", feature.pos2 or "", feature.pos3 or "")
            offset = end
    return Tokens(frozenset(starts), frozenset(ends), pos)
