"""The true incident key of a demo post, written into the scenario so that grouping can be measured on it.

The key says which posts an operator would put in one incident: ``<hazard>|<place>``, the hazard being the
post's first expected category. The place is the one the template names: a rescue request is its own incident;
a road closure is the road and its section (``?`` when the text names no section); an evacuation is its
shelter; an earthquake is felt by a municipality; anything else is its town, else what the text names
(a river, a station, the municipality). A post that names no place is alone. ``other`` posts have no key.
"""

from __future__ import annotations

from typing import Final

# Roads written into templates literally, with the section the text gives them.
_LITERAL: Final = {"名阪国道 上下線とも通行止め。亀山から先に進めない": "road:名阪国道@亀山市",
                   "江戸橋のあたり、道路冠水で車がぜんぜん動かない": "town:津市/江戸橋",
                   '<img src=x onerror="alert(document.cookie)"> 鈴鹿川の水位やばい': "reach:鈴鹿川",
                   "Road near {muni} station is flooded, cars are stuck. Stay away!": "station:{muni}駅"}


def place_key(template: str, hazard: str, slots: dict[str, str], post_id: str) -> str:
    """The place part of the key for a post made from ``template`` with these slot values."""
    if hazard == "casualty_rescue":
        return f"rescue:{post_id}"
    muni, town = slots["muni"], slots["town"]
    if hazard == "earthquake":
        return f"muni:{muni}"
    if template in _LITERAL:
        return _LITERAL[template].format(muni=muni)
    if template.startswith("伊勢道 "):
        return f"road:伊勢自動車道@{muni}"
    if "{road}" in template and (hazard == "road_blocked" or "{town}" not in template):
        section = town if "{town}" in template else muni if "{muni}" in template else "?"
        return f"road:{slots['road']}@{section}"
    if hazard == "evacuation_shelter" and "{shelter}" in template:
        return f"shelter:{slots['shelter']}"
    if "{town}" in template:
        return f"town:{muni}/{town}"
    if "{muni}" in template:
        return f"muni:{muni}"
    return f"alone:{post_id}"


def incident_key(label: str, categories: list[str], template: str, slots: dict[str, str], post_id: str) -> str | None:
    """``<hazard>|<place>`` of a disaster post (hazard: its first category, other_damage without one)."""
    if label != "disaster":
        return None
    hazard = categories[0] if categories else "other_damage"
    return f"{hazard}|{place_key(template, hazard, slots, post_id)}"
