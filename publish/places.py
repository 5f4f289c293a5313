"""Place names per language: kanji for ja/zh/ko, Hepburn romaji (cutlet) for Latin-script languages."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from publish.catalog import check_language, message
from publish.municipalities import by_name

if TYPE_CHECKING:
    import cutlet as _cutlet

LATIN_SCRIPT: Final = frozenset({"en", "pt", "es", "tl", "vi"})
# Japanese suffix -> catalog template that names the kind of place in the target language.
SUFFIX_TEMPLATES: Final = (("市", "place.city"), ("町", "place.town"), ("村", "place.town"),
                           ("県", "place.prefecture"), ("川", "place.river"))
_lock = threading.Lock()
_state: dict[str, _cutlet.Cutlet] = {}


def _katsu() -> _cutlet.Cutlet:
    with _lock:
        if "katsu" not in _state:
            import cutlet

            _state["katsu"] = cutlet.Cutlet()  # Hepburn by default
        return _state["katsu"]


@lru_cache(maxsize=4096)
def romanize(text: str) -> str:
    """Hepburn romaji of a Japanese name, each word capitalised (四日市 -> Yokkaichi)."""
    roman = _katsu().romaji(text).strip()
    return " ".join(w[:1].upper() + w[1:] for w in roman.split())


# Readings of suffixes as used in Mie, fixing the dictionary's: towns are ちょう, rivers mostly がわ.
SUFFIX_READINGS: Final = {"町": ("まち", "ちょう"), "川": ("かわ", "がわ")}


@lru_cache(maxsize=4096)
def reading(text: str) -> str:
    """Hiragana reading of a Japanese name, for the やさしい日本語 form (四日市市 -> よっかいちし).

    Municipalities use their official reading; other names are read by MeCab (unidic-lite).
    """
    official = by_name(text)
    if official is not None:
        return official.reading
    words = _katsu().tagger(text)
    kana = "".join((getattr(w.feature, "kana", None) or w.surface) for w in words)
    hira = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)
    wrong, right = SUFFIX_READINGS.get(text[-1], ("", ""))
    if wrong and hira.endswith(wrong):
        hira = hira[: -len(wrong)] + right
    return hira


def localize_place(name: str, lang: str) -> str:
    """The name of a Japanese place as a reader of ``lang`` should see it."""
    check_language(lang)
    if not name:
        return name
    if lang == "ja-easy":
        kana = reading(name)
        return name if kana == name else f"{name}({kana})"
    if lang not in LATIN_SCRIPT:
        return name
    for suffix, template in SUFFIX_TEMPLATES:
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and len(stem) >= 1:
            return message(lang, template, name=romanize(stem))
    return romanize(name)


def localize_places(names: list[str], lang: str) -> str:
    """Several place names joined with the separator usual in ``lang``."""
    sep = "、" if lang in ("ja", "ja-easy", "zh-Hans") else ", "
    return sep.join(localize_place(n, lang) for n in names if n)
