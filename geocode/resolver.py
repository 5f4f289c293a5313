"""Disambiguation: turn dictionary matches into scored places, using context, morphology and geotags."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from geocode.elsewhere import foreign_entries, municipality_before
from geocode.gazetteer import CONFUSABLE, FOREIGN, MIE_MARKER, Entry, Gazetteer
from geocode.matcher import Match, Trie
from geocode.normalize import fold, normalize, surface
from geocode.reverse import GridIndex, Point, distance_km
from geocode.tokens import Tokens, tokenize
from kernel.records import Place

log = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.35
SUPPORT_KM = 30.0  # another place this close supports a weak or ambiguous candidate
_BASE = {"municipality": 0.85, "town": 0.72, "station": 0.9, "gauge": 0.9, "bridge": 0.85, "landmark": 0.85,
         "river": 0.85, "road": 0.85, "shelter": 0.62}
_SPECIFICITY = {"municipality": 0.0, "river": -0.1, "road": -0.1}  # long features: their point is only indicative
_GAP_CHARS = set("のノ県都府市・･、 ")
_BLOCKING_NEXT = set("区県郡村市")
_NOT_RETURNED = {"foreign", "region"}
_LINEAR = {"river", "road"}  # their municipality code is only that of their representative point
_NEED_SUPPORT_ABROAD = {"town", "station", "shelter"}  # names that often exist elsewhere too


@dataclass(slots=True)
class _Candidate:
    match: Match
    entry_id: int
    entry: Entry
    weak: bool
    score: float


class MieGeocoder:
    """Finds places of the prefecture in a text; implements :class:`kernel.records.Geocoder`."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        taken = {normalize(key) for entry in gazetteer.entries for key in (*entry.keys, *entry.weak)}
        self.entries = gazetteer.entries + tuple(foreign_entries(taken))  # other prefectures, clashing names
        self.trie = Trie()
        points: list[Point] = []
        for i, entry in enumerate(self.entries):
            for key in entry.keys:
                self.trie.add(normalize(key), (i, False))
            for key in entry.weak:
                self.trie.add(normalize(key), (i, True))
            if entry.kind in ("town", "municipality") and entry.lat is not None and entry.lng is not None:
                town = entry.name if entry.kind == "town" else None
                points.append(Point(entry.lat, entry.lng, entry.municipality or entry.name, town, entry.code))
        built = gazetteer.origin == "built"
        self.index = GridIndex(points, max_km=5.0 if built else 12.0)
        log.info("geocoder_ready origin=%s entries=%d keys=%d", gazetteer.origin, len(self.entries), self.trie.size)

    def reverse(self, lat: float, lng: float) -> tuple[str, str | None] | None:
        """(municipality full name, town or None) of the nearest reference point; None outside the prefecture."""
        found = self.index.nearest(lat, lng)
        return None if found is None else (found[0].municipality, found[0].town)

    def resolve(self, text: str, *, geo: tuple[float, float] | None = None) -> list[Place]:
        """Places the text names, best first; a geotag in the prefecture is used when the text names none."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        tagged = surface(text)
        folded = fold(tagged)
        matches = self.trie.find(folded)
        geo = _valid_geo(geo)
        geo_point = None if geo is None else self.index.nearest(*geo)
        geo_point = None if geo_point is None else geo_point[0]
        places = self._places(matches, tagged, folded, geo, geo_point) if matches else []
        if not places and geo_point is not None and geo is not None:
            name = geo_point.municipality + (geo_point.town or "")
            places = [Place(name, "geotag", geo[0], geo[1], 0.7, geo_point.code, geo_point.municipality)]
        return places

    def _places(self, matches: list[Match], tagged: str, folded: str, geo: tuple[float, float] | None,
                geo_point: Point | None) -> list[Place]:
        mie_context = geo_point is not None
        foreign_spans: list[Match] = []
        for match in matches:
            if any(MIE_MARKER in self.entries[i].flags for i, _ in match.refs):
                mie_context = True
            if self._foreign(match, folded):
                foreign_spans.append(match)
        elsewhere = {k for k in range(len(matches)) if self._named_elsewhere(k, matches, foreign_spans, folded)}
        foreign_context = bool(foreign_spans or elsewhere) or (geo is not None and geo_point is None)
        tokens: Tokens | None = None
        groups: list[list[_Candidate]] = []
        for k, match in enumerate(matches):
            if any(self.entries[i].kind in _NOT_RETURNED for i, _ in match.refs):
                continue
            if k in elsewhere or _blocked_next(match, folded, self.entries):
                continue
            if tokens is None:
                tokens = tokenize(tagged)
            factor = _morphology(match, folded, tokens)
            if factor == 0.0:
                continue
            group = []
            for entry_id, weak in match.refs:
                entry = self.entries[entry_id]
                if CONFUSABLE in entry.flags and foreign_context and not mie_context:
                    continue
                score = _BASE.get(entry.kind, 0.6) * factor
                if entry.kind == "municipality" and folded[match.start:match.end].endswith(normalize(entry.name)):
                    score = 0.95
                if CONFUSABLE in entry.flags:
                    score *= 0.9
                if entry.kind == "town" and match.length <= 2:
                    pos = tokens.single(match.start, match.end)
                    weak = weak or pos is None or pos[0] != "固有名詞"
                weak = weak or (foreign_context and not mie_context and entry.kind in _NEED_SUPPORT_ABROAD)
                group.append(_Candidate(match, entry_id, entry, weak, score))
            if group:
                groups.append(group)
        return self._decide(groups, folded, mie_context, geo)

    def _foreign(self, match: Match, folded: str) -> bool:
        """A place elsewhere: only foreign names (大津市), or a foreign name followed by 市/区/郡 (田辺市)."""
        entries = [self.entries[i] for i, _ in match.refs]
        if not any(FOREIGN in e.flags for e in entries):
            return False
        return all(e.kind in _NOT_RETURNED for e in entries) or _blocked_next(match, folded, self.entries)

    def _named_elsewhere(self, k: int, matches: list[Match], foreign: list[Match], folded: str) -> bool:
        """Match ``k`` names a place elsewhere: right after another prefecture or a foreign name (糸島の志摩),
        followed by one in brackets (志摩(福岡)), or right after a municipality that is not in Mie (士別市朝日町)."""
        match = matches[k]
        nxt = matches[k + 1] if k + 1 < len(matches) else None
        if _after_foreign(match, foreign, folded) or (
                nxt is not None and nxt.start == match.end + 1 and folded[match.end] in "(["
                and any(FOREIGN in self.entries[i].flags for i, _ in nxt.refs)):
            return True
        mie_ends = {m.end for m in matches[:k] if self._mie_place(m)}

        def is_mie(begin: int, end: int) -> bool:  # a Mie name, or one right after a Mie place (津市芸濃町)
            return begin in mie_ends or any(self.entries[i].kind in ("municipality", "town")
                                            and FOREIGN not in self.entries[i].flags
                                            for i, _ in self.trie.lookup(folded[begin:end]))

        full = any(self.entries[i].kind == "municipality" and folded[match.start:match.end].endswith(
            normalize(self.entries[i].name)) for i, _ in match.refs)  # 名古屋市・桑名市 is a list, not an address
        return municipality_before(folded, match.start, is_mie, gap=not full) is not None

    def _mie_place(self, match: Match) -> bool:
        """A municipality, town or region of Mie (not also a foreign name)."""
        entries = [self.entries[i] for i, _ in match.refs]
        return not any(FOREIGN in e.flags for e in entries) and any(
            e.kind in ("municipality", "town") or MIE_MARKER in e.flags for e in entries)

    def _decide(self, groups: list[list[_Candidate]], folded: str, mie_context: bool,
                geo: tuple[float, float] | None) -> list[Place]:
        anchors = [a for a in map(_anchor, groups) if a is not None]
        chosen: list[_Candidate] = []
        for group in groups:
            group = _after_municipality(group, anchors, folded)
            others = [a for a in anchors if a.match is not group[0].match] if group else []
            shared = len({c.entry.code for c in group}) > 1
            best: _Candidate | None = None
            for cand in group:
                bonus = _support(cand, others, geo)
                score = cand.score
                if cand.weak:
                    if not (bonus or mie_context):
                        continue
                    score = min(score, 0.6) + bonus
                elif shared:
                    score = (score if bonus else score * 0.55) + bonus
                elif cand.entry.kind != "municipality":
                    score += bonus
                if best is None or score > best.score:
                    best = _Candidate(cand.match, cand.entry_id, cand.entry, cand.weak, score)
            if best is not None and best.score >= MIN_CONFIDENCE:
                chosen.append(best)
        return _ordered(chosen)


def _valid_geo(geo: object) -> tuple[float, float] | None:
    """(lat, lng) as floats, or None (with a warning) when the geotag is not a usable pair."""
    if geo is None:
        return None
    try:
        lat, lng = (float(v) for v in geo)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        log.warning("geocode_bad_geotag geo=%r", geo)
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        log.warning("geocode_bad_geotag geo=%r", geo)
        return None
    return lat, lng


def _anchor(group: list[_Candidate]) -> _Candidate | None:
    """The candidate that can support others: the group's strong candidates all lie in one municipality."""
    strong = [c for c in group if not c.weak]
    return strong[0] if strong and len({c.entry.code for c in strong}) == 1 else None


def _after_municipality(group: list[_Candidate], anchors: list[_Candidate], folded: str) -> list[_Candidate]:
    """Right after a municipality (桑名市寿町, 鳥羽市鳥羽), a town name means a town of that municipality."""
    start = group[0].match.start
    for anchor in anchors:
        gap = folded[anchor.match.end:start] if anchor.match.end <= start else None
        if anchor.entry.kind == "municipality" and gap in ("", "の"):
            code = anchor.entry.code
            kept = [c for c in group if c.entry.kind != "town" or c.entry.code == code]
            if any(c.entry.kind == "town" for c in kept):
                kept = [c for c in kept if not (c.entry.kind == "municipality" and c.entry.code == code)]
            return kept
    return group


def _support(cand: _Candidate, anchors: list[_Candidate], geo: tuple[float, float] | None) -> float:
    """Bonus from the other places of the text: same municipality 0.15, nearby 0.05; a nearby geotag 0.1."""
    entry = cand.entry
    if entry.kind not in _LINEAR and any(a.entry.code and a.entry.code == entry.code for a in anchors):
        return 0.15
    if geo is not None and _near(entry, geo[0], geo[1]):
        return 0.1
    return 0.05 if any(_near(entry, a.entry.lat, a.entry.lng) for a in anchors) else 0.0


def _near(entry: Entry, lat: float | None, lng: float | None) -> bool:
    if entry.lat is None or entry.lng is None or lat is None or lng is None:
        return False
    return distance_km(entry.lat, entry.lng, lat, lng) <= SUPPORT_KM


def _after_foreign(match: Match, foreign: list[Match], folded: str) -> bool:
    """A place right after another prefecture or city (群馬県明和町, 大阪の淀川) is that one's."""
    for span in foreign:
        if span.end <= match.start and all(c in _GAP_CHARS for c in folded[span.end:match.start]):
            return match.start - span.end <= 2
    return False


def _blocked_next(match: Match, folded: str, entries: tuple[Entry, ...]) -> bool:
    """A name followed by 市/区/県/郡/村 is a city, ward or place elsewhere (高松市, 名古屋市緑区, 中川村)."""
    nxt = folded[match.end:match.end + 1]
    return bool(nxt) and nxt in _BLOCKING_NEXT and not any(entries[i].kind == "municipality" for i, _ in match.refs)


def _kana_only(folded: str, match: Match) -> bool:
    return all("\u3041" <= c <= "\u309f" or c == "ー" for c in folded[match.start:match.end])


def _morphology(match: Match, folded: str, tokens: Tokens) -> float:
    """1.0 when the match sits on morpheme boundaries; short or kana keys must, and a key may not be the tail
    of a longer kanji word (田原町 in 小田原町); otherwise a longer key loses a little."""
    start_ok, end_ok = tokens.aligned(match.start, match.end)
    glued = _is_kana(folded[match.start - 1:match.start])
    if _kana_only(folded, match) and (glued or not tokens.ends_word(match.end)):
        return 0.0
    if start_ok and end_ok:
        return 1.0
    if match.length <= 2 or _kana_only(folded, match) or not (start_ok or end_ok):
        return 0.0
    if not start_ok and match.start > 0 and _is_kanji(folded[match.start - 1]):
        return 0.0
    return 0.85


def _is_kana(char: str) -> bool:
    return bool(char) and "\u3041" <= char <= "\u309f"


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "々"


def _ordered(chosen: list[_Candidate]) -> list[Place]:
    """Best first: specific places ahead of the municipality that contains them; one place per entry."""
    muni_codes = {c.entry.code for c in chosen if c.entry.kind == "municipality"}
    ranked: dict[int, tuple[float, _Candidate]] = {}
    for cand in chosen:
        rank = cand.score + _SPECIFICITY.get(cand.entry.kind, 0.04)
        if cand.entry.kind not in ("municipality", *_LINEAR) and cand.entry.code in muni_codes:
            rank += 0.2
        if cand.entry_id not in ranked or rank > ranked[cand.entry_id][0]:
            ranked[cand.entry_id] = (rank, cand)
    places = []
    for _, cand in sorted(ranked.values(), key=lambda item: -item[0]):
        e = cand.entry
        assert e.lat is not None and e.lng is not None
        places.append(Place(e.name, e.kind, e.lat, e.lng, round(min(cand.score, 0.99), 3), e.code, e.municipality))
    return places
