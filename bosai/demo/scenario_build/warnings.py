"""VPWW54 気象警報・注意報（Ｈ２７） telegrams for Mie, built from per-municipality warning states."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from lxml import etree

from bosai.demo.scenario_build.areas import MUNICIPALITIES, PREFECTURE, PRIMARY, REGIONS
from bosai.demo.scenario_build.xmlkit import NS_METE, area, body, head, report, sub, to_bytes

# A state maps a municipality code to {kind code: condition text ("" when none)}.
State = dict[str, dict[str, str]]

KIND_NAMES: Final = {
    "33": "大雨特別警報", "03": "大雨警報", "04": "洪水警報", "05": "暴風警報", "07": "波浪警報",
    "08": "高潮警報", "10": "大雨注意報", "14": "雷注意報", "15": "強風注意報", "16": "波浪注意報",
    "18": "洪水注意報", "19": "高潮注意報",
}
# Kinds of one phenomenon, lowest first: a higher one replaces a lower one.
FAMILIES: Final = (("10", "03", "33"), ("18", "04"), ("15", "05"), ("16", "07"), ("19", "08"), ("14",))
_FAMILY = {code: fam for fam in FAMILIES for code in fam}
_RANK = {code: i for fam in FAMILIES for i, code in enumerate(fam)}
_DOWN = {("33", "03"): "特別警報から警報", ("33", "10"): "特別警報から注意報", ("03", "10"): "警報から注意報",
         ("04", "18"): "警報から注意報", ("05", "15"): "警報から注意報", ("07", "16"): "警報から注意報",
         ("08", "19"): "警報から注意報"}
_LEVELS: Final = ("府県予報区等", "一次細分区域等", "市町村等をまとめた地域等", "市町村等")
_ORDER = {code: i for i, code in enumerate(("33", "03", "04", "05", "07", "08", "10", "14", "15", "16", "18", "19"))}


def aggregate(state: State, members: list[str]) -> dict[str, str]:
    """Kinds in force over a group of municipalities: per phenomenon the highest, conditions merged."""
    out: dict[str, str] = {}
    for fam in FAMILIES:
        present = [c for c in fam if any(c in state.get(m, {}) for m in members)]
        if present:
            top = present[-1]
            conds = sorted({part for m in members for part in state.get(m, {}).get(top, "").split("、") if part},
                           key=lambda p: ("土砂災害", "浸水害").index(p) if p in ("土砂災害", "浸水害") else 9)
            out[top] = "、".join(conds)
    return out


def _statuses(now: dict[str, str], before: dict[str, str]) -> list[tuple[str, str]]:
    """(kind code, Status) for one area: 発表/継続/…から…, then 解除 for what ended."""
    rows = []
    for code in now:
        old = next((c for c in before if _FAMILY[c] == _FAMILY[code]), None)
        if old == code:
            rows.append((code, "継続"))
        elif old is not None and _RANK[old] > _RANK[code]:
            rows.append((code, _DOWN.get((old, code), "発表")))
        else:
            rows.append((code, "発表"))
    ended = [c for c in before if not any(_FAMILY[c] == _FAMILY[n] for n in now)]
    rows.sort(key=lambda r: _ORDER[r[0]])
    return rows + [(c, "解除") for c in sorted(ended, key=_ORDER.__getitem__)]


def _groups() -> list[tuple[str, list[tuple[str, str, list[str]]]]]:
    """For each of the four levels: (level name, [(area name, code, member municipalities)])."""
    munis = list(MUNICIPALITIES)
    by_region = {r: [m for m in munis if MUNICIPALITIES[m][1] == r] for r in REGIONS}
    by_primary = {p: [m for r, ms in by_region.items() if REGIONS[r][1] == p for m in ms] for p in PRIMARY}
    return [
        (_LEVELS[0], [(PREFECTURE[0], PREFECTURE[1], munis)]),
        (_LEVELS[1], [(PRIMARY[p], p, ms) for p, ms in by_primary.items()]),
        (_LEVELS[2], [(REGIONS[r][0], r, ms) for r, ms in by_region.items()]),
        (_LEVELS[3], [(MUNICIPALITIES[m][0], m, [m]) for m in munis]),
    ]


def build_vpww54(*, at: datetime, state: State, previous: State, text: str) -> bytes:
    """One Mie VPWW54 telegram describing ``state`` as a change from ``previous``."""
    root = report("気象警報・注意報（Ｈ２７）", at)
    headline = head(root, title="三重県気象警報・注意報", at=at, info_kind="気象警報・注意報", version="1.2_0",
                    text=text)
    b = body(root, NS_METE)
    for level, areas in _groups():
        info_items: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        warning = sub(b, "Warning", type=f"気象警報・注意報（{level}）")
        for name, code, members in areas:
            now, before = aggregate(state, members), aggregate(previous, members)
            _warning_item(warning, name, code, now, before, members, state, detail=level != _LEVELS[3])
            if now:
                info_items.setdefault(tuple(sorted(now, key=_ORDER.__getitem__)), []).append((name, code))
        if info_items:
            _headline_information(headline, level, info_items)
    return to_bytes(root)


def _warning_item(warning: etree._Element, name: str, code: str, now: dict[str, str], before: dict[str, str],
                  members: list[str], state: State, *, detail: bool) -> None:
    item = sub(warning, "Item")
    rows = _statuses(now, before)
    if not rows:
        sub(sub(item, "Kind"), "Status", "発表警報・注意報はなし")
    for kind_code, status in rows:
        kind = sub(item, "Kind")
        sub(kind, "Name", KIND_NAMES[kind_code])
        sub(kind, "Code", kind_code)
        sub(kind, "Status", status)
        if now.get(kind_code):
            sub(kind, "Condition", now[kind_code])
    area(item, name, code)
    changed = set(now) != set(before) or any(now[k] != before.get(k) for k in now)
    sub(item, "ChangeStatus", "警報・注意報種別に変化有" if changed else "変化無")
    if detail:
        full = all(all(k in state.get(m, {}) for k in now) for m in members)
        sub(item, "FullStatus", "全域" if full else "一部")
        sub(item, "EditingMark", "1" if changed else "0")


def _headline_information(headline: etree._Element, level: str,
                          groups: dict[tuple[str, ...], list[tuple[str, str]]]) -> None:
    info = sub(headline, "Information", type=f"気象警報・注意報（{level}）")
    code_type = "気象・地震・火山情報／市町村等" if level == _LEVELS[3] else "気象情報／府県予報区・細分区域等"
    for kinds, areas in groups.items():
        item = sub(info, "Item")
        for kind_code in kinds:
            kind = sub(item, "Kind")
            sub(kind, "Name", KIND_NAMES[kind_code])
            sub(kind, "Code", kind_code)
        holder = sub(item, "Areas", codeType=code_type)
        for name, code in areas:
            area(holder, name, code)
