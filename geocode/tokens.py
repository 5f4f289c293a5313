"""Morpheme boundaries and parts of speech (MeCab, unidic-lite), used to vet dictionary matches."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.morphemes import morphemes


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


def tokenize(text: str) -> Tokens:
    """Tag ``text`` and return its token boundaries (whitespace skipped by MeCab lies between tokens)."""
    words = morphemes(text)
    pos = {w.start: (w.end, *w.pos) for w in words}
    return Tokens(frozenset(pos), frozenset(w.end for w in words), pos)
