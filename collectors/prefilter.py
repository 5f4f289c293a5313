"""Japanese keyword prefilter for social posts: which disaster terms a text mentions."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_TERMS: Final = (
    "地震", "揺れ", "津波", "大雨", "豪雨", "洪水", "浸水", "冠水", "氾濫", "決壊", "増水", "水位",
    "土砂崩れ", "がけ崩れ", "崖崩れ", "土石流", "避難", "避難所", "通行止め", "停電", "断水", "火事",
    "火災", "救助", "孤立", "倒壊", "警報", "特別警報", "線状降水帯", "台風", "竜巻", "落雷",
)


class PrefilterConfig(BaseModel):
    """Terms to look for and whether posts without any are dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[str] = Field(default_factory=lambda: list(DEFAULT_TERMS))
    drop_unmatched: bool = False


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class Prefilter:
    """Matches configured terms after width/case folding (ｱ→ア, ＡＢ→ab)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = [(term, _fold(term)) for term in dict.fromkeys(terms) if term.strip()]

    def match(self, text: str) -> tuple[str, ...]:
        """The configured terms found in ``text``, in configuration order."""
        folded = _fold(text)
        return tuple(term for term, key in self._terms if key in folded)
