"""The day's JMA telegrams: warnings, landslide alerts, heavy rain, river forecasts and one small quake."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bosai.demo.scenario_build.areas import MUNICIPALITIES, PREFECTURE, landslide_areas, municipalities_of
from bosai.demo.scenario_build.rivers import flood_forecasts
from bosai.demo.scenario_build.telegrams import (
    Quake,
    build_vpoa50,
    build_vxse53,
    build_vxww50,
)
from bosai.demo.scenario_build.warnings import FAMILIES, State, build_vpww54

_COASTAL_ONLY = {"07", "08", "16", "19"}
_N, _C, _I, _S1, _S2, _ALL = "240012", "240011", "240013", "240021", "240022", PREFECTURE[1]
_HEAVY = "土砂災害、浸水害"
Rule = tuple[set[str], dict[str, str]]


def make_state(rules: Iterable[Rule]) -> State:
    """Apply (areas, kinds) rules in order; a later kind replaces its phenomenon's earlier one."""
    state: State = {m: {} for m in MUNICIPALITIES}
    for areas, kinds in rules:
        members = municipalities_of(areas) + [a for a in areas if a in MUNICIPALITIES]
        for m in members:
            for code, cond in kinds.items():
                if code in _COASTAL_ONLY and not MUNICIPALITIES[m][2]:
                    continue
                family = next(f for f in FAMILIES if code in f)
                for other in family:
                    state[m].pop(other, None)
                if code != "-":
                    state[m][code] = cond
    return state


_ADVISORIES = {"10": "", "14": "", "15": "", "16": "", "18": ""}
_WARNING_DAY: list[tuple[str, str, list[Rule]]] = [
    ("05:40", "三重県では、２０日夜遅くまで土砂災害や低い土地の浸水、河川の増水に注意してください。",
     [({_ALL}, _ADVISORIES)]),
    ("07:10", "【大雨警報】中部、南部では、土砂災害に警戒してください。",
     [({_ALL}, _ADVISORIES), ({_C, _S1, _S2}, {"03": "土砂災害", "07": ""})]),
    ("08:50", "【大雨警報・洪水警報】三重県では、土砂災害、低い土地の浸水、河川の増水や氾濫に警戒してください。",
     [({_ALL}, _ADVISORIES), ({_C, _N, _I}, {"03": _HEAVY}), ({_S1, _S2}, {"03": "土砂災害", "07": "", "05": ""}),
      ({_C, _N}, {"04": ""})]),
    ("10:30", "【暴風警報】三重県では、暴風、高潮、土砂災害、浸水害、河川の氾濫に警戒してください。",
     [({_ALL}, _ADVISORIES), ({_ALL}, {"03": _HEAVY, "05": "", "07": ""}), ({_C, _N, _S1}, {"08": ""}),
      ({_C, _N, _I}, {"04": ""})]),
    ("13:00", "【大雨特別警報】津市、松阪市、亀山市に大雨特別警報を発表しました。命を守るための行動をとってください。",
     [({_ALL}, _ADVISORIES), ({_ALL}, {"03": _HEAVY, "05": "", "07": ""}), ({_C, _N, _S1}, {"08": ""}),
      ({_C, _N, _I}, {"04": ""}), ({"2420100", "2420400", "2421000"}, {"33": _HEAVY})]),
    ("16:10", "【大雨警報】大雨特別警報を警報に切り替えました。引き続き土砂災害、河川の氾濫に警戒してください。",
     [({_ALL}, _ADVISORIES), ({_ALL}, {"03": _HEAVY, "07": ""}), ({_C, _N}, {"05": "", "08": ""}),
      ({_C, _N, _I}, {"04": ""})]),
    ("19:00", "【大雨警報】中部では、土砂災害、河川の氾濫に警戒してください。",
     [({_ALL}, _ADVISORIES), ({_C}, {"03": "土砂災害", "04": ""}), ({_S1, _S2}, {"07": ""})]),
    ("23:30", "三重県では、２１日朝まで高波と河川の増水に注意してください。",
     [({_S1, _S2}, {"16": ""}), ({_C}, {"18": ""})]),
]
_LANDSLIDE_DAY: list[tuple[str, set[str]]] = [
    ("09:40", {"2420112", "2420412", "2421000"}),
    ("11:20", {"2420112", "2420412", "2421000", "2420111", "2420700", "2434100", "2421600", "2444100"}),
    ("14:00", {"2420112", "2420412", "2421000", "2420111", "2420700", "2434100", "2421600", "2444100",
               "2420411", "2420800", "2444300"}),
    ("18:30", {"2420112", "2420412", "2421000"}),
    ("21:40", set()),
]
_RAIN_DAY = [
    ("09:05", "０９時００分三重県で記録的短時間大雨\n津市美里付近で約１１０ミリ"),
    ("12:05", "１２時００分三重県で記録的短時間大雨\n松阪市飯南付近で約１２０ミリ\n津市白山付近で約１００ミリ"),
]
_QUAKE_AT = "10:45"
_QUAKE_CITIES = (
    ("461", "津市", "2420100", "津市西丸之内", "3"), ("461", "松阪市", "2420400", "松阪市殿町", "2"),
    ("460", "亀山市", "2421000", "亀山市本丸町", "2"), ("461", "伊賀市", "2421600", "伊賀市上野丸之内", "2"),
    ("460", "四日市市", "2420200", "四日市市諏訪町", "1"), ("460", "鈴鹿市", "2420700", "鈴鹿市西条", "1"),
    ("462", "伊勢市", "2420300", "伊勢市岩渕", "1"))


def _at(day: datetime, hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return day.replace(hour=int(h), minute=int(m))


def day_telegrams(day: datetime, gauges: dict[str, Any]) -> list[tuple[datetime, str, bytes]]:
    """Every telegram of the day as (scenario time, data type, XML bytes), in time order."""
    out: list[tuple[datetime, str, bytes]] = []
    previous: State = {m: {} for m in MUNICIPALITIES}
    for hhmm, text, rules in _WARNING_DAY:
        state = make_state(rules)
        out.append((_at(day, hhmm), "VPWW54", build_vpww54(at=_at(day, hhmm), state=state, previous=previous,
                                                          text=text)))
        previous = state
    before: set[str] = set()
    for serial, (hhmm, alert) in enumerate(_LANDSLIDE_DAY, 1):
        names = "、".join(n for code, n in landslide_areas() if code in alert) or "全域"
        text = (f"＜概況＞\n降り続く大雨のため、{names}で土砂災害の危険度が非常に高まっています。" if alert
                else "＜概況＞\n土砂災害の危険度が低くなったため、土砂災害警戒情報を解除します。")
        out.append((_at(day, hhmm), "VXWW50", build_vxww50(at=_at(day, hhmm), serial=serial, alert=alert,
                                                          previous=before, text=text)))
        before = alert
    for serial, (hhmm, text) in enumerate(_RAIN_DAY, 1):
        out.append((_at(day, hhmm), "VPOA50", build_vpoa50(at=_at(day, hhmm), serial=serial, text=text)))
    hhmm = _QUAKE_AT
    origin = _at(day, hhmm) - timedelta(minutes=4)
    quake = Quake(origin=origin, area_name="三重県中部", area_code="551", lat=34.6, lon=136.3, depth_km=40,
                  magnitude=3.8, cities=_QUAKE_CITIES)
    text = (f"{origin.day}日{origin.hour}時{origin.minute}分ころ、地震がありました。"
            "震源地は三重県中部（北緯３４．６度、東経１３６．３度）、震源の深さは約４０ｋｍ、"
            "地震の規模（マグニチュード）は３．８と推定されます。")
    out.append((_at(day, hhmm), "VXSE53", build_vxse53(at=_at(day, hhmm), q=quake, text=text)))
    out.extend(flood_forecasts(gauges))
    return sorted(out, key=lambda t: t[0])


def write_telegrams(out_dir: Path, day: datetime, gauges: dict[str, Any]) -> list[dict[str, Any]]:
    """Write each telegram as ``telegrams/<seq>_<type>.xml`` and return the timeline entries."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.xml"):
        old.unlink()
    timeline = []
    for seq, (at, data_type, xml) in enumerate(day_telegrams(day, gauges), 1):
        name = f"{seq:02d}_{at:%H%M}_{data_type}.xml"
        (out_dir / name).write_bytes(xml)
        feed, office = ("eqvol", "010000") if data_type.startswith("VXSE") else ("extra", PREFECTURE[1])
        timeline.append({"time": at.isoformat(), "file": f"telegrams/{name}", "data_type": data_type,
                         "feed": feed, "office": office})
    return timeline
