"""Kana to romaji (modified Hepburn, long vowels unmarked) and to Hangul, for the place names of
:mod:`publish.places` that have a kana reading but no romaji or Hangul in the tables."""

from __future__ import annotations

from typing import Final


def to_hiragana(text: str) -> str:
    """Katakana folded to hiragana (ヴ and the small ヵ/ヶ stay: they have no hiragana of their own in use)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヴ" and c != "ヴ" else c for c in text)


_ROMAJI: Final = dict(zip(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわゐゑをん"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉゔ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu",
     "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo", "ya",
     "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "i", "e", "o", "n", "ga", "gi", "gu", "ge", "go", "za", "ji",
     "zu", "ze", "zo", "da", "ji", "zu", "de", "do", "ba", "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po",
     "a", "i", "u", "e", "o", "vu"], strict=True))
_SMALL_Y: Final = {"ゃ": "a", "ゅ": "u", "ょ": "o"}


def _syllables(kana: str) -> list[tuple[str, str]]:
    """(kana, Hepburn) per mora, yōon merged (きょ -> kyo); っ, ん, ー and other characters kept as they are."""
    out: list[tuple[str, str]] = []
    for c in to_hiragana(kana):
        if c in _SMALL_Y and out and out[-1][1][-1:] == "i" and len(out[-1][1]) >= 2:
            prev_k, prev_r = out.pop()
            base = prev_r[:-1] if prev_r[:-1] in ("sh", "ch", "j") else prev_r[:-1] + "y"
            out.append((prev_k + c, base + _SMALL_Y[c]))
        else:
            out.append((c, _ROMAJI.get(c, c)))
    return out


def _long_vowel(prev: str, kana: str) -> bool:
    """Whether ``kana`` only lengthens the vowel before it (おお, おう, うう): official romaji drop it."""
    return (prev.endswith("o") and kana in ("う", "お")) or (prev.endswith("u") and kana == "う")


def kana_to_romaji(kana: str) -> str:
    """Hepburn romaji the way municipalities and road signs spell names: long vowels unmarked (とういん -> toin).

    Lower case, one word; っ doubles the next consonant (tch before ch), ん is n, ー is dropped.
    """
    out: list[str] = []
    pending_sokuon = False
    collapsed = False
    for k, r in _syllables(kana):
        if k == "っ":
            pending_sokuon = True
            continue
        if k == "ー" or (out and not collapsed and _long_vowel(out[-1], k)):
            collapsed = k != "ー"
            continue
        collapsed = False
        if pending_sokuon and r[:1].isalpha() and r[0] not in "aiueon":
            r = ("t" if r.startswith("ch") else r[0]) + r
        pending_sokuon = False
        out.append(r)
    return "".join(out)


# Korean 외래어 표기법 (일본어). Choseong (initial, inside a word) per kana row; jungseong per vowel a i u e o.
_H_ONSETS: Final = {"": (11, 11), "k": (0, 15), "g": (0, 0), "s": (9, 9), "z": (12, 12), "t": (3, 16),
                    "d": (3, 3), "n": (2, 2), "h": (18, 18), "b": (7, 7), "p": (17, 17), "m": (6, 6), "r": (5, 5)}
_H_ROWS: Final = {"": "あいうえお", "k": "かきくけこ", "g": "がぎぐげご", "s": "さしすせそ", "z": "ざじずぜぞ",
                  "t": "たちつてと", "d": "だぢづでど", "n": "なにぬねの", "h": "はひふへほ", "b": "ばびぶべぼ",
                  "p": "ぱぴぷぺぽ", "m": "まみむめも", "r": "らりるれろ"}
_H_VOWELS: Final = (0, 20, 13, 5, 8)  # ㅏ ㅣ ㅜ ㅔ ㅗ
_HANGUL_KANA: Final = {
    **{c: (*_H_ONSETS[row], _H_VOWELS[i]) for row, chars in _H_ROWS.items() for i, c in enumerate(chars)},
    "す": (9, 9, 18), "ず": (12, 12, 18), "ち": (12, 14, 20), "つ": (10, 10, 18), "ぢ": (12, 12, 20),
    "づ": (12, 12, 18), "や": (11, 11, 2), "ゆ": (11, 11, 17), "よ": (11, 11, 12), "わ": (11, 11, 9),
    "を": (11, 11, 8), "ぁ": (11, 11, 0), "ぃ": (11, 11, 20), "ぅ": (11, 11, 13), "ぇ": (11, 11, 5),
    "ぉ": (11, 11, 8),
}
_H_YOON: Final = {"ゃ": (2, 0), "ゅ": (17, 13), "ょ": (12, 8)}  # after ㅈ/ㅊ/ㅆ the y is not written: 자, 주, 조
_H_O: Final = frozenset({8, 12})
_H_U: Final = frozenset({13, 17, 18})


def kana_to_hangul(kana: str) -> str:
    """Hangul for a Japanese reading by the Korean 외래어 표기법 (よっかいち -> 욧카이치, つ -> 쓰).

    Voiceless onsets are plain at the start of a word and aspirated inside it, っ is a ㅅ batchim, ん a ㄴ
    batchim, and long vowels are not written (とういん -> 도인). A space or ・ starts a new word.
    """
    hira = to_hiragana(kana)
    out: list[str] = []
    initial, last_vowel, collapsed = True, -1, False
    i = 0
    while i < len(hira):
        c = hira[i]
        i += 1
        if c in (" ", "・"):
            out.append(" " if c == " " else "·")
            initial, last_vowel = True, -1
            continue
        if c in ("っ", "ん"):
            if out and "가" <= out[-1] <= "힣" and (ord(out[-1]) - 0xAC00) % 28 == 0:
                out[-1] = chr(ord(out[-1]) + (19 if c == "っ" else 4))
            continue
        long_vowel = (c == "う" and last_vowel in _H_O | _H_U) or (c == "お" and last_vowel in _H_O)
        if c == "ー" or (long_vowel and not collapsed):
            collapsed = c != "ー"
            continue
        collapsed = False
        if c not in _HANGUL_KANA:
            out.append(c)
            initial, last_vowel = False, -1
            continue
        first, inner, vowel = _HANGUL_KANA[c]
        cho = first if initial else inner
        if i < len(hira) and hira[i] in _H_YOON and vowel == 20:
            vowel = _H_YOON[hira[i]][1 if cho in (10, 12, 14) else 0]
            i += 1
        out.append(chr(0xAC00 + (cho * 21 + vowel) * 28))
        initial, last_vowel = False, vowel
    return "".join(out)
