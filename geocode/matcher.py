"""Longest-match dictionary over the gazetteer keys: a character trie walked from every position."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_END = ""  # trie key holding the payload of a complete key


@dataclass(frozen=True, slots=True)
class Match:
    """A key found at ``text[start:end]`` (normalised text) and the entries it names."""

    start: int
    end: int
    refs: tuple[tuple[int, bool], ...]  # (entry index, weak spelling)

    @property
    def length(self) -> int:
        """Number of characters matched."""
        return self.end - self.start


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Trie:
    """Maps normalised keys to entry references; finds non-overlapping longest matches in a text."""

    def __init__(self) -> None:
        self._root: dict[str, dict] = {}
        self.size = 0

    def add(self, key: str, ref: tuple[int, bool]) -> None:
        """Register ``key`` for an entry; a strong spelling wins over a weak one for the same entry."""
        if not key:
            return
        node = self._root
        for char in key:
            node = node.setdefault(char, {})
        refs: list[tuple[int, bool]] = node.setdefault(_END, [])  # type: ignore[arg-type]
        if (ref[0], False) in refs:
            return
        if not ref[1] and (ref[0], True) in refs:
            refs.remove((ref[0], True))
        elif not refs:
            self.size += 1
        refs.append(ref)

    def lookup(self, key: str) -> tuple[tuple[int, bool], ...]:
        """The references registered for exactly ``key`` (normalised), or ()."""
        node: dict | None = self._root
        for char in key:
            node = node.get(char) if node is not None else None
        return tuple(node.get(_END, ())) if node is not None else ()

    def all_matches(self, text: str) -> list[Match]:
        """Every key occurrence, respecting digit and latin word boundaries."""
        found: list[Match] = []
        root = self._root
        n = len(text)
        for start in range(n):
            node = root.get(text[start])
            end = start + 1
            while node is not None:
                refs = node.get(_END)
                if refs and _bounded(text, start, end):
                    found.append(Match(start, end, tuple(refs)))
                if end >= n:
                    break
                node = node.get(text[end])
                end += 1
        return found

    def find(self, text: str) -> list[Match]:
        """Longest matches first, then leftmost; overlapping shorter ones are dropped."""
        return select_longest(self.all_matches(text))


def _bounded(text: str, start: int, end: int) -> bool:
    first, last = text[start], text[end - 1]
    if (first.isdigit() or _is_word_char(first)) and start > 0 and _is_word_char(text[start - 1]):
        return False
    return not ((last.isdigit() or _is_word_char(last)) and end < len(text) and _is_word_char(text[end]))


def select_longest(matches: Iterable[Match]) -> list[Match]:
    """Greedy leftmost-longest choice of non-overlapping matches, returned in text order."""
    taken: list[Match] = []
    used: set[int] = set()
    for match in sorted(matches, key=lambda m: (-m.length, m.start)):
        span = range(match.start, match.end)
        if used.isdisjoint(span):
            taken.append(match)
            used.update(span)
    return sorted(taken, key=lambda m: m.start)
