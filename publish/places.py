"""Place names per language, from readings tables kept as data (``publish/data/``), not kanji by kanji.

Why tables: a dictionary reads 志登茂川 as こころざし・のぼる・しげる; the established reading is しともがわ
(Shitomo River). So every name the service can show is looked up, in this order:

1. ``publish/data/readings.csv`` (rivers, gauges, JMA areas, districts; kana, romaji, zh-Hans, Hangul),
   ``publish/data/translations.csv`` (descriptive names such as 三重県南部 -> Southern Mie) and
   ``publish/data/patterns.csv`` (numbered names: 国道23号 -> National Route 23);
2. the 29 municipalities of the shared master (official kana and ``name_roma``), via
   :mod:`publish.municipalities`;
3. the shared ``towns.csv`` (大字・町丁目 with Japan Post kana).

Names made of several places ("志登茂川 江戸橋", "津市一志") are split and each part looked up. A name found
nowhere is read by MeCab (unidic-lite) word by word, never kanji by kanji, and logged once as
``place_reading_missing`` so that a reading can be added to the table.
"""

from __future__ import annotations

import csv
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

from kernel import reference
from kernel.languages import language
from kernel.morphemes import morphemes
from publish.catalog import check_language, message
from publish.kana import kana_to_hangul, kana_to_romaji, to_hiragana
from publish.municipalities import municipalities

log = logging.getLogger(__name__)

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
READINGS_CSV: Final = DATA_DIR / "readings.csv"
TRANSLATIONS_CSV: Final = DATA_DIR / "translations.csv"
PATTERNS_CSV: Final = DATA_DIR / "patterns.csv"
LATIN_SCRIPT: Final = ("en", "pt", "es", "tl", "vi")
# Kinds whose Latin form is the romaji inside a catalog template (四日市市 -> "Yokkaichi City").
KIND_TEMPLATES: Final = {"city": "place.city", "town": "place.town", "prefecture": "place.prefecture",
                         "river": "place.river"}
# Kinds that hold other places: a name may start with one of them (津市一志, 三重郡菰野町).
CONTAINERS: Final = frozenset({"prefecture", "county", "city", "town"})
# Generic suffixes of names that are not in the tables: (kanji, readings seen, kind, Hangul suffix).
SUFFIXES: Final = (("市", ("し",), "city", "시"), ("町", ("ちょう", "まち"), "town", "정"),
                   ("村", ("むら", "そん"), "town", "촌"), ("県", ("けん",), "prefecture", "현"),
                   ("郡", ("ぐん",), "county", "군"), ("川", ("がわ", "かわ"), "river", "강"))
# Gauge names in telegrams end in 水位観測所; the table holds the place name before it.
GAUGE_SUFFIX: Final = ("水位観測所", "すいいかんそくじょ", "水位观测站", " 수위관측소")
_SPACES: Final = re.compile(r"[ \u3000]+")
_KANJI: Final = "\u3005\u3006\u30f5\u30f6\u4e00-\u9fff"  # 々 〆 ヵ ヶ and the unified ideographs
_KANJI_RUN: Final = re.compile(f"[{_KANJI}]+")


@dataclass(frozen=True, slots=True)
class PlaceName:
    """How one place is written and read: kana (hiragana), Hepburn romaji, zh-Hans, Hangul, Latin overrides."""

    name: str
    kana: str
    romaji: str
    kind: str
    zh_hans: str = ""
    ko: str = ""
    source: str = ""
    latin: Mapping[str, str] = field(default_factory=dict)  # lang -> full name, e.g. en: Southern Mie


# --- tables -----------------------------------------------------------------------------------------------

def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _town_rows(path: Path) -> dict[str, str]:
    """District name -> hiragana from the shared towns.csv; names read two ways in Mie are left out."""
    if not path.exists():
        return {}
    kana: dict[str, set[str]] = {}
    for row in _read_csv(path):
        if row.get("koaza") or not row.get("town_kana"):
            continue
        for name in {row["town"], row.get("town_short") or row["town"]}:
            kana.setdefault(name, set()).add(to_hiragana(row["town_kana"]))
    return {name: next(iter(k)) for name, k in kana.items() if len(k) == 1}


def _stem_roma(roma: str) -> str:
    """Tsu-shi -> Tsu, Kisosaki-cho -> Kisosaki: the catalog template adds City / Town."""
    return re.sub(r"-(shi|cho|machi|mura|son)$", "", roma)


@lru_cache(maxsize=1)
def place_table() -> Mapping[str, PlaceName]:
    """Every known place name -> its PlaceName (readings.csv first, then the shared municipality and town data)."""
    latin: dict[str, dict[str, str]] = {}
    for row in _read_csv(TRANSLATIONS_CSV):
        latin[row["name"]] = {lang: row[lang] for lang in LATIN_SCRIPT if row.get(lang)}
    official = {m.name: m for m in municipalities()}
    table: dict[str, PlaceName] = {}
    for row in _read_csv(READINGS_CSV):
        name = row["name"]
        muni = official.get(name)
        kana = row["kana"] or (muni.reading if muni else "")
        romaji = row["romaji"] or (_stem_roma(muni.roma) if muni and muni.roma else "")
        if not kana or not romaji:  # the shared master is absent: read the municipality with MeCab
            kana, romaji = kana or _mecab(name).kana, romaji or _mecab(name).romaji
        table[name] = PlaceName(name, to_hiragana(kana), romaji, row["kind"], row["zh_hans"], row["ko"],
                                row["source"], latin.get(name, {}))
    for name, muni in official.items():  # municipalities missing from readings.csv still read officially
        if name not in table:
            kind = "city" if name.endswith("市") else "town"
            table[name] = PlaceName(name, muni.reading, _stem_roma(muni.roma), kind, source="municipalities.csv")
    for name, kana in _town_rows(reference.current().path("towns.csv")).items():
        if name not in table:
            table[name] = PlaceName(name, kana, kana_to_romaji(kana).capitalize(), "district",
                                    source="towns.csv (Japan Post kana)")
    return table


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
    return tuple((re.compile(row["pattern"]), row) for row in _read_csv(PATTERNS_CSV))


def _numbered(name: str) -> PlaceName | None:
    """A numbered name (国道23号) read by its pattern: the number is kept, the words are the table's."""
    for pattern, row in _patterns():
        found = pattern.fullmatch(name)
        if found is not None:
            slots = found.groupdict()
            return PlaceName(name, row["kana"].format(**slots), row["en"].format(**slots), row["kind"],
                             row["zh_hans"].format(**slots), row["ko"].format(**slots), row["source"],
                             {lang: row[lang].format(**slots) for lang in LATIN_SCRIPT if row.get(lang)})
    return None


def lookup(name: str) -> PlaceName | None:
    """The table entry of exactly ``name``, or its pattern's reading (None when the tables do not have it)."""
    return place_table().get(name) or _numbered(name)


def has_reading(name: str) -> bool:
    """Whether every part of ``name`` is in the tables (the tests use it: no name may need MeCab's guess)."""
    return all(lookup(p) is not None or _gauge(p) is not None for parts in split_place(name) for p in parts)


def _decompose(chunk: str) -> list[PlaceName] | None:
    """``chunk`` as known places, containers first (津市一志 -> 津市 + 一志); None when it cannot be split."""
    entry = lookup(chunk)
    if entry is not None:
        return [entry]
    for end in range(len(chunk) - 1, 0, -1):
        head = lookup(chunk[:end])
        if head is not None and head.kind in CONTAINERS:
            rest = _decompose(chunk[end:])
            if rest is not None:
                return [head, *rest]
    return None


def split_place(name: str) -> list[list[str]]:
    """The parts of a name: space-separated places, each split into containers and what they contain.

    "志登茂川 江戸橋" -> [["志登茂川"], ["江戸橋"]]; "三重郡菰野町" -> [["三重郡", "菰野町"]]; unknown names stay whole.
    """
    out = []
    for chunk in _SPACES.split(name.strip()):
        if chunk:
            parts = _decompose(chunk)
            out.append([p.name for p in parts] if parts is not None else [chunk])
    return out


# --- readings of unknown names ----------------------------------------------------------------------------

_lock = threading.Lock()
_missing: set[str] = set()


def _report_missing(name: str) -> None:
    with _lock:
        if name in _missing:
            return
        _missing.add(name)
    log.warning("place_reading_missing name=%s", name)


@lru_cache(maxsize=4096)
def _mecab(name: str) -> PlaceName:
    """A name read by MeCab word by word (江戸橋 is one word, not 江 + 戸 + 橋), its kind guessed from its suffix."""
    hira = to_hiragana("".join(w.kana or w.surface for w in morphemes(name)))
    for suffix, readings, kind, hangul in SUFFIXES:
        seen = next((r for r in readings if hira.endswith(r)), None)
        if name.endswith(suffix) and len(name) > len(suffix) and seen is not None:
            stem = hira[: -len(seen)]  # Mie's towns are ちょう, rivers mostly がわ
            return PlaceName(name, stem + readings[0], kana_to_romaji(stem).capitalize(), kind, "",
                             kana_to_hangul(stem) + hangul, "MeCab (unidic-lite)")
    return PlaceName(name, hira, kana_to_romaji(hira).capitalize(), "unknown", "", kana_to_hangul(hira),
                     "MeCab (unidic-lite)")


def _guess(name: str) -> PlaceName:
    """A name the tables lack: MeCab's reading, logged once so that a row can be added."""
    _report_missing(name)
    return _mecab(name)


def _gauge(name: str) -> PlaceName | None:
    """A gauge named in a telegram (大仰水位観測所), composed from the table's place (大仰)."""
    suffix, kana, zh, ko = GAUGE_SUFFIX
    stem = lookup(name[: -len(suffix)]) if name.endswith(suffix) else None
    if stem is None:
        return None
    return PlaceName(name, stem.kana + kana, stem.romaji, "gauge", (stem.zh_hans or stem.name) + zh,
                     _hangul(stem) + ko, stem.source, stem.latin)


def _entry(name: str) -> PlaceName:
    """The table entry, a gauge composed from its place, or MeCab's guess."""
    return lookup(name) or _gauge(name) or _guess(name)


def _hangul(entry: PlaceName) -> str:
    return entry.ko or kana_to_hangul(entry.kana)


@lru_cache(maxsize=4096)
def reading(text: str) -> str:
    """Hiragana reading of a place name, for the やさしい日本語 form and speech (四日市市 -> よっかいちし).

    Table readings first (志登茂川 江戸橋 -> しともがわ えどばし); other names are read by MeCab.
    """
    return " ".join("".join(_entry(p).kana for p in parts) for parts in split_place(text)) or text


# --- rendering --------------------------------------------------------------------------------------------

def ruby(name: str, kana: str) -> str:
    """``漢字(かな)`` with the reading over the kanji only, so that speech reads each sound once.

    いなべ市 -> いなべ市(し), 桔梗が丘 -> 桔梗(ききょう)が丘(おか). When the kana cannot be aligned with the
    name, the whole name is followed by its reading.
    """
    if not _KANJI_RUN.search(name) or not kana:
        return name
    pieces = re.split(f"([{_KANJI}]+)", name)
    pattern = "".join("(.+?)" if _KANJI_RUN.fullmatch(p) else re.escape(to_hiragana(p)) for p in pieces if p)
    found = re.fullmatch(pattern, kana)
    if found is None:
        return f"{name}({kana})"
    groups = iter(found.groups())
    return "".join(f"{p}({next(groups)})" if _KANJI_RUN.fullmatch(p) else p for p in pieces if p)


def _latin(entry: PlaceName, lang: str) -> str:
    if lang in entry.latin:
        return entry.latin[lang]
    template = KIND_TEMPLATES.get(entry.kind)
    return message(lang, template, name=entry.romaji) if template and entry.romaji else entry.romaji


def _render(entry: PlaceName, lang: str) -> str:
    if lang == "ja-easy":
        return ruby(entry.name, entry.kana)
    if lang == "zh-Hans":
        return entry.zh_hans or entry.name
    if lang == "ko":
        return _hangul(entry)
    if lang in LATIN_SCRIPT:
        return _latin(entry, lang)
    return entry.name


@lru_cache(maxsize=8192)
def localize_place(name: str, lang: str) -> str:
    """The name of a Japanese place as a reader of ``lang`` should see it.

    ja: unchanged; ja-easy: 志登茂川(しともがわ); zh-Hans: 云出川; ko: 시토모강; Latin-script languages: the
    table's romaji in the language's template ("Shitomo River, Edobashi"; 三重県南部 -> "Southern Mie").
    Several places are split and each looked up; Latin readers get addresses smallest first, without 郡.
    """
    check_language(lang)
    if not name or lang == "ja":
        return name
    chunks = []
    for parts in split_place(name):
        entries = [_entry(p) for p in parts]
        if lang in LATIN_SCRIPT:
            shown = [_render(e, lang) for e in reversed(entries) if e.kind != "county" or len(entries) == 1]
            chunks.append(", ".join(shown))
        else:
            chunks.append(("" if lang in ("ja-easy", "zh-Hans") else " ").join(_render(e, lang) for e in entries))
    return (", " if lang in LATIN_SCRIPT else " ").join(chunks)


def romanize(name: str) -> str:
    """The bare Latin form of a place without its kind (志登茂川 -> Shitomo, 四日市市 -> Yokkaichi)."""
    return " ".join(_entry(p).romaji for parts in split_place(name) for p in parts)


def localize_places(names: list[str], lang: str) -> str:
    """Several place names joined with the separator usual in ``lang``."""
    sep = language(lang).list_separator
    return sep.join(localize_place(n, lang) for n in names if n)
