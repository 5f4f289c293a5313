"""Mie's JMA area codes (feeds.md §5, CityCode.csv) as the scenario's telegrams need them."""

from __future__ import annotations

from typing import Final

PREFECTURE: Final = ("三重県", "240000")
PRIMARY: Final = {"240010": "北中部", "240020": "南部"}
# 市町村等をまとめた地域: code -> (name, parent primary code)
REGIONS: Final = {
    "240011": ("中部", "240010"),
    "240012": ("北部", "240010"),
    "240013": ("伊賀", "240010"),
    "240021": ("伊勢志摩", "240020"),
    "240022": ("紀勢・東紀州", "240020"),
}
# 市町村等: code -> (name, region code, coastal: 高潮・波浪 targets)
MUNICIPALITIES: Final = {
    "2420100": ("津市", "240011", True),
    "2420200": ("四日市市", "240012", True),
    "2420300": ("伊勢市", "240021", True),
    "2420400": ("松阪市", "240011", True),
    "2420500": ("桑名市", "240012", True),
    "2420700": ("鈴鹿市", "240012", True),
    "2420800": ("名張市", "240013", False),
    "2420900": ("尾鷲市", "240022", True),
    "2421000": ("亀山市", "240012", False),
    "2421100": ("鳥羽市", "240021", True),
    "2421200": ("熊野市", "240022", True),
    "2421400": ("いなべ市", "240012", False),
    "2421500": ("志摩市", "240021", True),
    "2421600": ("伊賀市", "240013", False),
    "2430300": ("木曽岬町", "240012", True),
    "2432400": ("東員町", "240012", False),
    "2434100": ("菰野町", "240012", False),
    "2434300": ("朝日町", "240012", False),
    "2434400": ("川越町", "240012", True),
    "2444100": ("多気町", "240011", False),
    "2444200": ("明和町", "240011", True),
    "2444300": ("大台町", "240022", False),
    "2446100": ("玉城町", "240021", False),
    "2447000": ("度会町", "240021", False),
    "2447100": ("大紀町", "240022", True),
    "2447200": ("南伊勢町", "240021", True),
    "2454300": ("紀北町", "240022", True),
    "2456100": ("御浜町", "240022", True),
    "2456200": ("紀宝町", "240022", True),
}
# 土砂災害警戒情報 uses split codes for 津市 and 松阪市 instead of the whole-city codes.
LANDSLIDE_SPLIT: Final = {
    "2420100": (("2420111", "津市東部"), ("2420112", "津市中西部")),
    "2420400": (("2420411", "松阪市東部"), ("2420412", "松阪市西部")),
}


def landslide_areas() -> list[tuple[str, str]]:
    """(code, name) of every area a Mie 土砂災害警戒情報 lists, in code order."""
    out: list[tuple[str, str]] = []
    for code, (name, _, _) in MUNICIPALITIES.items():
        out.extend(LANDSLIDE_SPLIT.get(code, ((code, name),)))
    return out


def municipalities_of(region_codes: set[str]) -> list[str]:
    """Municipality codes inside the given regions (or primary areas, or the whole prefecture)."""
    out = []
    for code, (_, region, _) in MUNICIPALITIES.items():
        parent = REGIONS[region][1]
        if {region, parent, PREFECTURE[1]} & region_codes:
            out.append(code)
    return out
