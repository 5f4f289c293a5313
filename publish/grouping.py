"""The place an incident is about: a key from the geocoder's places on a post, by hazard (issue 19 §1).

Grouping by distance alone joined a person trapped in one town with people isolated in two others, and 伊勢道
with 国道165号, because they lay within 3 km. A post now joins an incident only when both name the same place:

- a rescue request (casualty_rescue) is its own incident: one post, one key (copies are folded before this);
- road posts: the road and its section (the town, station, bridge or landmark along it, else the municipality
  the text names; ``?`` when the text names the road only);
- floods, outages and most other hazards: the town (大字・町丁目), else the river reach and its gauge, else a
  bridge, station, landmark or shelter, else a road section, else the municipality;
- evacuation: the shelter first; earthquake and tsunami: the municipality (shaking is felt area-wide).

A post that names no place (a geotag only) has no key and joins only incidents without one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from publish.geo import haversine_km

# The gazetteer's gauges on each river with their points: a river's reach is the stretch its nearest gauge watches.
RIVER_GAUGES: Final[dict[str, dict[str, tuple[float, float]]]] = {
    "鈴鹿川": {"高岡水位観測所": (34.866, 136.561)},
    "雲出川": {"雲出橋水位観測所": (34.637, 136.518), "大口水位観測所": (34.628, 136.48)},
    "櫛田川": {"両郡橋水位観測所": (34.545, 136.575)},
    "宮川": {"岩出水位観測所": (34.455, 136.652), "度会橋水位観測所": (34.489, 136.698)},
    "名張川": {"名張水位観測所": (34.628, 136.106)}, "木津川": {"島ヶ原水位観測所": (34.766, 136.06)},
}
GAUGE_RIVER: Final = {g: river for river, gauges in RIVER_GAUGES.items() for g in gauges}
SPOT_KINDS: Final = ("bridge", "station", "landmark", "shelter")
BY_MUNICIPALITY: Final = ("earthquake", "tsunami")
# Prefectural roads are not in the gazetteer: 県道津関線, 県道42号, 県道四日市鈴鹿環状線.
_PREF_ROAD: Final = re.compile(r"県道(?:\d{1,3}号(?:線)?|[\u4e00-\u9fff\u3041-\u30ff]{1,12}?線)")


def _places(places: Sequence[Mapping[str, Any]] | None, kind: str) -> list[Mapping[str, Any]]:
    return [p for p in places or () if p.get("kind") == kind and p.get("name")]


def _muni(places: Sequence[Mapping[str, Any]] | None, municipality: str | None) -> str | None:
    """The municipality the text names, else the one its first town lies in, else the post's."""
    named = _places(places, "municipality") or _places(places, "town")
    if named:
        return str(named[0].get("municipality") or named[0]["name"])
    return municipality


def _town(places: Sequence[Mapping[str, Any]] | None) -> str | None:
    towns = _places(places, "town")
    return f"town:{towns[0].get('municipality') or ''}/{towns[0]['name']}" if towns else None


def _spot(places: Sequence[Mapping[str, Any]] | None, kinds: tuple[str, ...] = SPOT_KINDS) -> str | None:
    for place in places or ():
        if place.get("kind") in kinds and place.get("name"):
            return f"{place['kind']}:{place['name']}"
    return None


def reach(places: Sequence[Mapping[str, Any]] | None, lat: float | None, lng: float | None) -> str | None:
    """``reach:<river>/<gauge>``: a named gauge, else the river's gauge nearest the post (else the river alone)."""
    gauges = _places(places, "gauge")
    if gauges:
        gauge = str(gauges[0]["name"])
        return f"reach:{GAUGE_RIVER.get(gauge, '?')}/{gauge}"
    rivers = _places(places, "river")
    if not rivers:
        return None
    name = str(rivers[0]["name"])
    gauges_on = RIVER_GAUGES.get(name)
    if not gauges_on:
        return f"reach:{name}"
    at = (lat, lng) if lat is not None and lng is not None else (float(rivers[0]["lat"]), float(rivers[0]["lng"]))
    best = min(gauges_on, key=lambda g: (haversine_km(*at, *gauges_on[g]), g))
    return f"reach:{name}/{best}"


def road(places: Sequence[Mapping[str, Any]] | None, text: str, municipality: str | None) -> str | None:
    """``road:<road>@<section>``: the road (gazetteer or a 県道 in the text) and the place along it it names."""
    roads = _places(places, "road")
    name = str(roads[0]["name"]) if roads else None
    if name is None:
        found = _PREF_ROAD.search(text or "")
        name = found.group(0) if found else None
    if name is None:
        return None
    section = _town(places) or _spot(places)
    named = _places(places, "municipality")
    if section is None and named:
        section = f"muni:{named[0]['name']}"
    return f"road:{name}@{section.split(':', 1)[1] if section else '?'}"


def group_key(hazard: str, places: Sequence[Mapping[str, Any]] | None, *, text: str = "",
              post_id: int | str | None = None, lat: float | None = None, lng: float | None = None,
              municipality: str | None = None) -> str | None:
    """The place key of a post of this hazard (None when it names no place at all)."""
    if hazard == "casualty_rescue":
        return f"rescue:{post_id}"
    muni = _muni(places, municipality)
    if hazard in BY_MUNICIPALITY:
        return f"muni:{muni}" if muni else None
    if hazard == "road_blocked":
        key = road(places, text, municipality)
        if key is not None:
            return key
    if hazard == "evacuation_shelter":
        shelter = _spot(places, ("shelter",))
        if shelter is not None:
            return shelter
    named_muni = _places(places, "municipality")
    return (_town(places) or reach(places, lat, lng) or _spot(places) or road(places, text, municipality)
            or (f"muni:{named_muni[0]['name']}" if named_muni else None))
