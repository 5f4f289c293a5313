"""Text normalisation shared by the gazetteer keys and the texts, so that spelling variants meet.

The folding keeps one output character per input character after NFKC (only characters are swapped),
so match offsets stay meaningful within the normalised text.
"""

from __future__ import annotations

import re
import unicodedata

# Old/variant kanji seen in place names -> the form the gazetteer uses.
_VARIANTS = {
    "澤": "沢", "﨑": "崎", "嵜": "崎", "碕": "崎", "邊": "辺", "邉": "辺", "濱": "浜", "嶋": "島", "嶌": "島",
    "髙": "高", "廣": "広", "國": "国", "關": "関", "櫻": "桜", "德": "徳", "惠": "恵", "淺": "浅", "藏": "蔵",
    "縣": "県", "驛": "駅", "會": "会", "瀨": "瀬", "眞": "真", "齋": "斎", "齊": "斉", "舊": "旧",
    "龜": "亀", "鐵": "鉄", "臺": "台", "萬": "万", "寳": "宝", "寶": "宝", "圓": "円", "條": "条", "冨": "富",
    "峯": "峰", "槇": "槙", "桒": "桑", "籠": "篭", "曾": "曽", "彌": "弥", "壽": "寿", "與": "与", "兒": "児",
    "靜": "静", "稻": "稲", "澁": "渋", "龍": "竜", "瀧": "滝", "檜": "桧", "增": "増", "豐": "豊", "榮": "栄",
}
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_SMALL_KE = {0x3096: "が", 0x3095: "が", 0x30F6: "が", 0x30F5: "が"}  # ゖゕヶヵ read ga in place names
_TABLE = str.maketrans({**{ord(k): v for k, v in _VARIANTS.items()}, **_KATA_TO_HIRA, **_SMALL_KE})
_KANJI = r"[\u4e00-\u9fff々]"
_KE_BETWEEN_KANJI = re.compile(rf"(?<={_KANJI})[けが](?={_KANJI})")
_NO_BETWEEN_KANJI = re.compile(rf"(?<={_KANJI})[之乃](?={_KANJI})")
_KANJI_DIGITS = "〇一二三四五六七八九"
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百千]+(?=丁目|番町|番地|番|号|条|丁)")
_ROAD_KANJI_NUMBER = re.compile(r"(?<=国道)[〇一二三四五六七八九十百千]+")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ｰ－"})


def kanji_to_int(text: str) -> int:
    """Value of a kanji numeral such as 二十三 or 百六十五 (positional forms like 二三 too)."""
    if all(c in _KANJI_DIGITS for c in text):
        return int("".join(str(_KANJI_DIGITS.index(c)) for c in text))
    total, current = 0, 0
    for char in text:
        if char in _KANJI_DIGITS:
            current = _KANJI_DIGITS.index(char)
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[char]
            total += (current or 1) * unit
            current = 0
    return total + current


def _arabic(match: re.Match[str]) -> str:
    return str(kanji_to_int(match.group(0)))


def surface(text: str) -> str:
    """Width, case, dashes and kanji numerals before 丁目/番/号 folded; kana left as written (for the tagger)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_DASHES)
    text = _ROAD_KANJI_NUMBER.sub(_arabic, text)
    return _KANJI_NUMBER.sub(_arabic, text)


def fold(surface_text: str) -> str:
    """Old kanji, katakana, ヶ/ケ/が and の/之/ノ folded; one character out per character in."""
    text = surface_text.translate(_TABLE)
    text = _KE_BETWEEN_KANJI.sub("が", text)
    return _NO_BETWEEN_KANJI.sub("の", text)


def normalize(text: str) -> str:
    """The matching form of a text or a gazetteer key: :func:`fold` of :func:`surface`."""
    return fold(surface(text))
