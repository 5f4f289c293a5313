"""An object rebuilt after a number of uses, for libraries that keep something per input for the object's life.

fugashi's MeCab taggers keep every distinct word they have parsed (about two small Python objects each,
freed only with the tagger). In a stream of posts, whose numbers, names and links are new words all day,
that grew the service's anonymous memory by several MB a minute at 400 posts/s. Building a tagger takes
under a millisecond (the dictionary stays mapped), so the stages renew theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Generic, TypeVar

T = TypeVar("T")

# Texts a MeCab tagger parses before the stages replace it: a few MB of words at most, renewed about once a
# minute at full load.
TAGGER_USES: Final = 20_000


class Renewing(Generic[T]):
    """``build()`` on first use and again after every ``uses`` uses. Not locked: callers that share one
    across threads already serialise their use of the object."""

    def __init__(self, build: Callable[[], T], *, uses: int) -> None:
        if uses < 1:
            raise ValueError(f"uses must be at least 1, not {uses}")
        self._build, self.uses = build, uses
        self._value: T | None = None
        self._left = 0

    def get(self) -> T:
        """The current object, counting one use."""
        if self._value is None or self._left == 0:
            self._value, self._left = self._build(), self.uses
        self._left -= 1
        return self._value
