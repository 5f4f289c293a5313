"""Places outside Mie: the other prefectures, clashing names (data/elsewhere.txt) and municipality-like names.

A Mie name is not the Mie place when another prefecture or a municipality that is not in Mie comes right
before it (京都市伏見区 下鳥羽, 糸島市志摩, 士別市朝日町), or when it is only part of a longer name from
elsewhere (大津市 contains 津, 廿日市 contains 日市, 伊勢原 contains 伊勢).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from geocode.gazetteer import FOREIGN, Entry
from geocode.normalize import normalize

DATA = Path(__file__).parent / "data" / "elsewhere.txt"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The 46 prefectures other than Mie (三重県).
PREFECTURES = _words(
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 "
    "富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 "
    "島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 "
    "沖縄県"
)
MUNICIPAL_SUFFIXES = frozenset("市区町村郡")
_SPLIT = MUNICIPAL_SUFFIXES | {"県", "府", "都", "道"}
GAP = frozenset(" の・")  # what may stand between a municipality and the name after it
# Districts (郡) of Mie, current and recent: a town after one of them is a Mie town.
MIE_DISTRICTS = frozenset(_words(
    "桑名郡 員弁郡 三重郡 鈴鹿郡 河芸郡 安濃郡 一志郡 飯南郡 多気郡 度会郡 志摩郡 阿山郡 名賀郡 北牟婁郡 南牟婁郡"
))
# Common nouns ending like a municipality (城下町, 被災地区, 地方都市): not names of places.
COMMON_TAILS = ("都市", "地区", "学区", "校区", "選挙区", "特区", "管区", "城下町", "門前町", "宿場町", "温泉町",
                "漁師町", "港町", "下町", "市町", "市町村", "区町村", "農村", "漁村", "山村", "寒村")


def prefecture_keys() -> list[str]:
    """The other prefectures, with and without 県/府/都 (北海道 stays whole)."""
    keys = []
    for name in PREFECTURES:
        keys.append(name)
        if name[-1] in "県府都" and len(name) > 2:
            keys.append(name[:-1])
    return keys


@cache
def clashing_names(path: Path = DATA) -> tuple[str, ...]:
    """The names written in ``path`` (whitespace-separated, ``#`` comments)."""
    names: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        names.extend(line.split("#", 1)[0].split())
    return tuple(names)


def foreign_entries(taken: Iterable[str]) -> list[Entry]:
    """One ``foreign`` entry per prefecture or clashing name whose normalised form is not in ``taken``."""
    seen = set(taken)
    out = []
    for name in (*prefecture_keys(), *clashing_names()):
        key = normalize(name)
        if key not in seen:
            seen.add(key)
            out.append(Entry(name, "foreign", None, None, keys=(name,), flags=frozenset({FOREIGN})))
    return out


def municipality_before(folded: str, start: int, is_mie: Callable[[int, int], bool], *, gap: bool = True) -> str | None:
    """The name of a municipality outside Mie that ends right before ``start`` (after one gap character when
    ``gap``, or before one or two glued kanji: 伏見区下鳥羽): kanji ending in 市/区/町/村/郡, three characters or
    more, not a common noun, for which ``is_mie(begin, end)`` (a Mie name, or one right after a Mie place) is
    false for every tail; else None."""
    end = start
    if gap and end > 0 and folded[end - 1] in GAP:
        end -= 1
    begin = end
    while begin > 0 and _is_kanji(folded[begin - 1]):
        begin -= 1
    if end == start:  # glued: 下 in 伏見区下鳥羽, 西 in 福山市西富田
        glued = next((n for n in range(3) if end - n > begin and folded[end - n - 1] in MUNICIPAL_SUFFIXES), 0)
        end -= glued
    run = folded[begin:end]
    if len(run) < 3 or run[-1] not in MUNICIPAL_SUFFIXES or run.endswith(COMMON_TAILS):
        return None
    # tails that start after an earlier 県/市/区/町/村/郡: 土山町 and 甲賀市土山町 in 甲賀市土山町
    tails = [run[i:] for i in range(len(run)) if i == 0 or run[i - 1] in _SPLIT]
    if any(tail in MIE_DISTRICTS or is_mie(end - len(tail), end) for tail in tails):
        return None
    return next((tail for tail in reversed(tails) if len(tail) >= 3), None)


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "々"
