"""Mie area facts used to scope alerts and subscriptions (JMA codes from ../shared/docs/feeds.md §5)."""

from __future__ import annotations

from typing import Final

PREFECTURE_CODE: Final = "24"
PREFECTURE_AREA: Final = "240000"
# 市町村等をまとめた地域 -> member municipalities (JIS 5-digit codes).
REGION_MEMBERS: Final = {
    "240011": ("24201", "24204", "24441", "24442"),
    "240012": ("24202", "24205", "24207", "24210", "24214", "24303", "24324", "24341", "24343", "24344"),
    "240013": ("24208", "24216"),
    "240021": ("24203", "24211", "24215", "24461", "24470", "24472"),
    "240022": ("24209", "24212", "24443", "24471", "24543", "24561", "24562"),
}
SUBDIVISIONS: Final = {"240010": ("240011", "240012", "240013"), "240020": ("240021", "240022")}
# Earthquake 細分区域 and tsunami 予報区 that cover Mie; their codes do not start with "24".
QUAKE_AREAS: Final = {"460": "三重県北部", "461": "三重県中部", "462": "三重県南部"}
TSUNAMI_AREAS: Final = {"391": "伊勢・三河湾", "400": "三重県南部"}
# Landslide-only split codes: parts of one municipality.
SPLIT_MUNICIPALITIES: Final = {"2420111": "24201", "2420112": "24201", "2420411": "24204", "2420412": "24204"}


def municipalities(code: str) -> frozenset[str]:
    """The JIS municipality codes an area code covers (empty when it is not a Mie land area)."""
    code = str(code)
    if code in SPLIT_MUNICIPALITIES:
        return frozenset({SPLIT_MUNICIPALITIES[code]})
    if code == PREFECTURE_AREA:
        return frozenset(m for members in REGION_MEMBERS.values() for m in members)
    if code in SUBDIVISIONS:
        return frozenset(m for r in SUBDIVISIONS[code] for m in REGION_MEMBERS[r])
    if code in REGION_MEMBERS:
        return frozenset(REGION_MEMBERS[code])
    if code.startswith(PREFECTURE_CODE) and len(code) in (5, 6, 7):
        return frozenset({code[:5]})
    return frozenset()


def in_scope(code: str, areas: list[str], kind: str = "land") -> bool:
    """Whether a JMA area code belongs to one of the configured areas (prefecture, region or town).

    ``kind`` names the code space: "land" (warnings), "quake" (地震細分区域) or "tsunami" (津波予報区);
    the short quake and tsunami codes overlap each other, so they are only compared within their own space.
    """
    code = str(code)
    extra = {"quake": QUAKE_AREAS, "tsunami": TSUNAMI_AREAS}.get(kind, {})
    for area in areas:
        if code == area:
            return True
        if area.endswith("0000") and len(code) >= 6 and code.startswith(area[:2]):
            return True
        if area == PREFECTURE_AREA and code in extra:
            return True
        if municipalities(code) and municipalities(code) <= municipalities(area):
            return True
    return False


def overlaps(alert_codes: list[str], subscribed: list[str]) -> bool:
    """Whether an alert's areas touch a subscription's municipalities (empty subscription = all Mie)."""
    if not subscribed:
        return True
    wanted = {str(c)[:5] for c in subscribed}
    covered: set[str] = set()
    for code in alert_codes:
        covered |= municipalities(code)
        if code in QUAKE_AREAS or code in TSUNAMI_AREAS:
            return True  # sea and quake areas are broad: tell every Mie subscriber
    return bool(covered & wanted)
