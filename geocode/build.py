"""``bosai gazetteer build``: import the official Mie files into the gazetteer store.

Reads municipalities.csv, towns.csv, shelters.csv and stations.csv (see ../shared/data/mie/SOURCES.md) and
merges them with the entries written for the shipped gazetteer (rivers, roads, landmarks, markers).
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from geocode.gazetteer import SHIPPED, Entry, GazetteerError, load, save

log = logging.getLogger(__name__)

ATTRIBUTION = (
    "出典：「位置参照情報」（国土交通省）をもとに株式会社Geolonia が作成した Geolonia 住所データ（CC BY 4.0）／"
    "「アドレス・ベース・レジストリ」（デジタル庁, CC BY 4.0）／「指定緊急避難場所・指定避難所データ」（国土地理院）／"
    "「国土数値情報（鉄道データ）」（国土交通省）／郵便番号データ（日本郵便株式会社）を加工して作成"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Town names that are also everyday words or very common elsewhere: they need support from the text.
COMMON = _words(
    "中央 本町 新町 栄 栄町 緑 緑町 緑が丘 旭 旭町 港 港町 中川 東町 西町 南町 北町 大町 朝日町 桜 桜町 泉 泉町 若葉 "
    "若葉町 寿町 幸町 錦 錦町 元町 本郷 中町 上町 下町 宮町 川原 山手 城山 平和町 日の出町 高砂町 松原 大門 京町 "
    "殿町 上野 青山 中島 新田 田町 市場 駅前 川島町 中野 神田 小川 大谷 北浜町 浜町 宮本町 松本 鎌田 中山 清水 "
    "八幡 八幡町 天神 白山 日野 神戸 三宮 大須 金山 梅田 難波 天王寺 渋谷 新宿 池袋 品川 府中 青葉台 緑ケ丘 港北 "
    "丸の内 一色 一色町 光町 曙町 昭和町 大正町 明治町"
)
# Station names that are also stations or areas elsewhere in Japan (加茂駅 in Kyoto, 千里 in Osaka ...).
SHARED_STATIONS = _words("桜 柳 泊 朝日 加茂 千里 明星 丸山 大泉 宮町 新居 松下 新堂 山城 星川 川原町 徳田 栃原 桃園")
_CHOME = re.compile(r"[東西南北]?[0-9一二三四五六七八九十]+(丁目|番町)$")
_PREFIX = re.compile(r"^(.{1,3}町)(.{2,})$")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)
    except OSError as err:
        raise GazetteerError(f"cannot read {path}: {err}") from err


def _point(row: dict[str, str], path: Path) -> tuple[float, float]:
    try:
        return float(row["lat"]), float(row["lng"])
    except (KeyError, ValueError) as err:
        raise GazetteerError(f"{path}: bad coordinates in row {row!r}") from err


def _town(name: str, lat: float, lng: float, code: str, muni: str, *, extra: tuple[str, ...] = ()) -> Entry:
    """A town; a bare name that is short or a common word is weak, the municipality-prefixed spelling never is."""
    weak = name in COMMON or len(name) <= 2
    return Entry(name, "town", lat, lng, code, muni, extra if weak else (name, *extra), (name,) if weak else ())


def towns(path: Path) -> list[Entry]:
    """大字・町丁目 entries, plus grouped entries for chome bases (高茶屋) and old-town prefixes (一志町)."""
    out: list[Entry] = []
    names: set[tuple[str, str]] = set()
    groups: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    needed: dict[tuple[str, str, str], int] = {}
    for row in _rows(path):
        lat, lng = _point(row, path)
        code, muni, town, koaza = row["lg_code"], row["municipality"], row["town_short"], row["koaza"]
        if koaza:
            if len(koaza) >= 3:
                out.append(Entry(f"{town}{koaza}", "town", lat, lng, code, muni, (f"{town}{koaza}",), (koaza,)))
            continue
        entry = _town(town, lat, lng, code, muni, extra=(f"{muni.split('郡')[-1]}{town}",))
        prefix = _PREFIX.match(town)
        if prefix:  # 阿下喜 for 北勢町阿下喜: people drop the old town name
            entry = dataclasses.replace(entry, weak=(*entry.weak, prefix.group(2)))
        if town.endswith("町") and len(town) >= 3:  # 白塚 for 白塚町
            entry = dataclasses.replace(entry, weak=(*entry.weak, town[:-1]))
        out.append(entry)
        names.add((code, town))
        for group, count in _groups(town):
            groups[(code, muni, group)].append((lat, lng))
            needed[(code, muni, group)] = min(count, needed.get((code, muni, group), count))
    for (code, muni, base), pts in groups.items():
        if (code, base) in names or len(pts) < needed[(code, muni, base)]:
            continue
        lat = sum(p[0] for p in pts) / len(pts)
        lng = sum(p[1] for p in pts) / len(pts)
        out.append(_town(base, lat, lng, code, muni))
        names.add((code, base))
    return out


def _groups(town: str) -> Iterator[tuple[str, int]]:
    """Area names for a family of towns, with how many towns make one: 高茶屋 (高茶屋三丁目), 一志町 (一志町井生),
    玉垣町 (北玉垣町), 加太 (加太市場)."""
    base = _CHOME.sub("", town)
    if base != town and len(base) >= 2:
        yield base, 1
    prefix = _PREFIX.match(town)
    if prefix:
        yield prefix.group(1), 2
    if town[0] in "東西南北上下" and len(town) >= 3:
        yield town[1:], 2
    if len(town) >= 4 and all("\u4e00" <= c <= "\u9fff" for c in town[:2]):
        yield town[:2], 3


def stations(path: Path, muni_by_code: dict[str, str]) -> list[Entry]:
    """One entry per station name (lines merged), keyed as 〇〇駅."""
    pts: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for row in _rows(path):
        lat, lng = _point(row, path)
        pts[row["station"]].append((lat, lng, row["nearest_town_lg_code"]))
    out = []
    for name, items in pts.items():
        lat = sum(p[0] for p in items) / len(items)
        lng = sum(p[1] for p in items) / len(items)
        code = Counter(p[2] for p in items).most_common(1)[0][0]
        keys = [name + "駅"]
        if name.startswith(("近鉄", "伊勢", "伊賀", "紀伊")) and len(name) >= 4:
            keys.append(name)
        shared = name in SHARED_STATIONS
        out.append(Entry(name + "駅", "station", lat, lng, code, muni_by_code.get(code),
                         () if shared else tuple(keys), tuple(keys) if shared else ()))
    return out


def shelters(path: Path, taken: set[str]) -> list[Entry]:
    """Evacuation sites; names shared by several sites or short ones need support from the text."""
    rows = list(_rows(path))
    counts = Counter(row["name"] for row in rows)
    out = []
    for row in rows:
        name = row["name"]
        if len(name) < 4 or name in taken:  # 県道, 広場 …: not names anyone would recognise
            continue
        lat, lng = _point(row, path)
        strong = counts[name] == 1 and len(name) >= 5
        key = (name,)
        out.append(Entry(name, "shelter", lat, lng, row["lg_code"], row["municipality"],
                         key if strong else (), () if strong else key))
    return out


def build(source: Path, output: Path, shipped: Path = SHIPPED) -> dict[str, int]:
    """Build the full gazetteer from ``source`` into ``output``; return counts by kind."""
    if not (source / "towns.csv").exists():
        raise GazetteerError(f"{source} has no towns.csv (expected the Mie open-data folder)")
    base = load(shipped).entries
    written = {(e.code, e.name) for e in base if e.kind == "town"}  # districts written for the shipped file win
    muni_by_code = {row["lg_code"]: row["full_name"] for row in _rows(source / "municipalities.csv")}
    official_towns = [e for e in towns(source / "towns.csv") if (e.code, e.name) not in written]
    town_names = {(e.code, e.name) for e in official_towns}
    official_stations = stations(source / "stations.csv", muni_by_code)
    station_names = {e.name for e in official_stations}
    kept = [e for e in base if not (e.kind == "station" and e.name in station_names)]
    taken = {e.name for e in kept} | {n for _, n in town_names}
    entries = kept + official_towns + official_stations + shelters(source / "shelters.csv", taken)
    counts = Counter(e.kind for e in entries)
    save(output, entries, attribution=ATTRIBUTION, origin="built")
    log.info("gazetteer_built output=%s entries=%d", output, len(entries))
    return dict(counts)
