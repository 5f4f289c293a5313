"""警戒レベル colours (JMA / Cabinet Office convention) and the words that say the level without colour."""

from __future__ import annotations

from typing import Final

from publish.catalog import message

LEVEL_COLORS: Final = {5: "#0C000C", 4: "#AA00AA", 3: "#FF2800", 2: "#F2E700"}
DEFAULT_COLOR: Final = "#FFFFFF"
# Text colour readable on each background, at WCAG AA (4.5:1) or better: white on the dark ones (5, 4), black
# on red, yellow and white. White on level 3's red is only 3.8:1 (axe-core flagged it); black is 5.6:1.
LEVEL_TEXT_COLORS: Final = {5: "#FFFFFF", 4: "#FFFFFF", 3: "#000000", 2: "#000000"}


def level_color(level: int | None) -> str:
    """Background colour of a 警戒レベル (white below level 2 or when unknown)."""
    return LEVEL_COLORS.get(level or 0, DEFAULT_COLOR)


def level_text_color(level: int | None) -> str:
    """Foreground colour that stays readable on :func:`level_color`."""
    return LEVEL_TEXT_COLORS.get(level or 0, "#000000")


def level_words(level: int | None, lang: str) -> str:
    """The level named in words, e.g. "Alert level 4" (or "No alert level")."""
    if level is None or not 1 <= level <= 5:
        return message(lang, "level.none")
    return message(lang, f"term.alert_level_{level}")


def level_meaning(level: int | None, lang: str) -> str:
    """What the level asks of people, with its colour named in words (for screen readers)."""
    if level is None or not 1 <= level <= 5:
        return message(lang, "instruction.default").rstrip("。.")
    return message(lang, f"level.meaning{level}")
