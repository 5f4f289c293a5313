"""What a JMA telegram says residents should be told: a pure plan, before any state is consulted.

The plan names, per alert family (大雨, 土砂, 高潮, a river, the coast ...), the alerts in force for which
areas, and which areas' state the telegram restates (``covered``): an alert of that family for those areas
that the telegram no longer lists has ended. ``publish.alerts`` applies the plan to the stored alerts;
``bosai relay`` prints it as it stands. Both use this one function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Protocol

from publish import areas as mie
from publish.events import INTENSITY_ORDER, intensity_rank
from publish.kinds import KindSpec, by_key, lookup, warning_system

MIN_QUAKE_INTENSITY: Final = "3"  # relay earthquake information from this intensity observed in the areas

# Warning scopes from coarse to fine: the finest present in a telegram is used.
_SCOPE_RANK: Final = (("市町村等をまとめた", 2), ("市町村等", 3), ("一次細分", 1))
# Phenomenon words of R06 telegram titles (島根県土砂災害警報・注意報) -> the family the telegram restates.
_TITLE_FAMILIES: Final = (("土砂", "landslide"), ("大雨", "heavy_rain"), ("高潮", "storm_surge"),
                          ("暴風", "wind"), ("波浪", "waves"), ("大雪", "snow"))
_H27_FAMILIES: Final = ("heavy_rain", "flood", "storm_surge", "wind", "snow", "waves")


def in_force(status: str) -> bool:
    """Whether a Kind/Status keeps its kind in force: 発表, 継続, 切替, 特別警報から警報 ... anything but 解除 or なし.

    Read this way round so that a status word JMA adds later keeps an alert rather than drops it.
    """
    return "解除" not in status and "なし" not in status


class Telegram(Protocol):
    """The fields of a parsed telegram the relay reads (an OfficialReport record or its stored row)."""

    title: str
    info_kind: str
    info_type: str
    headline: str
    report_datetime: datetime
    valid_until: datetime | None
    event_id: str
    items: Sequence[dict[str, Any]]
    area_codes: Sequence[str]


@dataclass(frozen=True, slots=True)
class PlannedAlert:
    """One alert a telegram asks for: a kind in force (or lifted) over a group of areas."""

    key: str  # unique within the telegram
    spec: KindSpec
    event: str  # the kind's name as JMA wrote it
    lifted: bool
    areas: tuple[dict[str, str], ...]
    expires: datetime | None
    slots: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> frozenset[str]:
        """The area codes of the alert."""
        return frozenset(a["code"] for a in self.areas)


@dataclass(frozen=True, slots=True)
class RelayPlan:
    """The alerts of one telegram and the (family -> area codes) whose state it restates."""

    alerts: tuple[PlannedAlert, ...]
    covered: dict[str, frozenset[str]]


def _in(code: Any, areas: list[str] | None, kind: str = "land") -> bool:
    return areas is None or mie.in_scope(str(code or ""), areas, kind)


def _area(code: Any, name: Any) -> dict[str, str]:
    return {"code": str(code or ""), "name": str(name or "")}


def _areas_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    """An item's list of areas, tolerating a stored item whose field is missing or malformed."""
    areas = item.get("areas")
    return [a for a in areas if isinstance(a, dict)] if isinstance(areas, list) else []


def _scope_rank(scope: str) -> int:
    return next((rank for word, rank in _SCOPE_RANK if word in (scope or "")), 0)


def _expires(report: Telegram, spec: KindSpec) -> datetime:
    return report.valid_until or report.report_datetime + spec.expiry


class _Builder:
    """Collects groups of areas per (family, kind, lifted) in the order the telegram lists them."""

    def __init__(self, report: Telegram) -> None:
        self.report = report
        self.groups: dict[tuple[str, str, bool], tuple[KindSpec, str, list[dict[str, str]]]] = {}
        self.covered: dict[str, set[str]] = defaultdict(set)
        self.extra: list[PlannedAlert] = []  # alerts of one item or one telegram (rivers, rain, quakes ...)

    def add(self, spec: KindSpec, event: str, area: dict[str, str], *, lifted: bool = False) -> None:
        self.covered[spec.family].add(area["code"])
        if not spec.relay:
            return
        key = (spec.family, spec.event_key or event, lifted)
        group = self.groups.setdefault(key, (spec, event, []))
        if area not in group[2]:
            group[2].append(area)

    def cover(self, families: Iterable[str], *codes: str) -> None:
        for family in families:
            self.covered[family].update(codes)

    def plan(self) -> RelayPlan:
        planned = [PlannedAlert(key=f"{family}-{kind}-{'lifted' if lifted else 'issued'}", spec=spec, event=event,
                                lifted=lifted, areas=tuple(areas), expires=None if lifted else
                                _expires(self.report, spec), slots=_common_slots(self.report))
                   for (family, kind, lifted), (spec, event, areas) in self.groups.items()]
        return RelayPlan(alerts=(*planned, *self.extra),
                         covered={f: frozenset(codes) for f, codes in self.covered.items()})


def _common_slots(report: Telegram) -> dict[str, Any]:
    return {"event_id": report.event_id} if report.event_id else {}


def plan_report(report: Telegram, areas: list[str] | None) -> RelayPlan:
    """The relay plan of one telegram for ``areas`` (JMA/JIS codes; None: every area)."""
    if report.info_type == "取消":
        return RelayPlan(alerts=(), covered={})
    items = [i for i in report.items if isinstance(i, dict)]
    builder = _Builder(report)
    _warnings(builder, items, areas, _title_families(report))
    _landslide(builder, items, areas, report.title)
    _tsunami(builder, items, areas)
    _rivers(builder, items, areas)
    _record_rain(builder, items, areas)
    _linear_rainband(builder, items, areas)
    _earthquake(builder, items, areas)
    _nankai(builder, areas)
    return builder.plan()


def _title_families(report: Telegram) -> tuple[str, ...]:
    """Families an R06 telegram restates by its title; every H27 family for a combined telegram."""
    named = tuple(family for word, family in _TITLE_FAMILIES if word in report.title)
    return named or (_H27_FAMILIES if "警報・注意報" in report.title else ())


def _warnings(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None,
              title_families: tuple[str, ...]) -> None:
    scoped = [i for i in items if i.get("type") == "warning" and _in(i.get("area_code"), areas)]
    finest = max((_scope_rank(str(i.get("scope", ""))) for i in scoped), default=0)
    for item in scoped:
        if _scope_rank(str(item.get("scope", ""))) != finest:
            continue
        area = _area(item.get("area_code"), item.get("area_name"))
        status = str(item.get("status") or "")
        name, code = item.get("kind_name"), item.get("kind_code")
        if status == "解除" and (item.get("last_kind_code") or item.get("last_kind_name")):
            last = item.get("last_kind_name")
            spec = lookup(warning_system(last), item.get("last_kind_code"), last)
            builder.add(spec, str(last or spec.name), area, lifted=True)
        elif code and code != "00" and in_force(status):
            spec = lookup(warning_system(name), code, name)
            builder.add(spec, str(name or spec.name), area)
        else:  # 発表警報・注意報はなし: nothing of the telegram's families is in force here
            builder.cover(title_families, area["code"])


def _landslide(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None, title: str) -> None:
    """VXWW50: 警戒 (3) in force, 解除 (1), なし (0); from 2026 titled レベル４土砂災害危険警報."""
    spec = by_key("landslide", "3")
    r06 = by_key("r06", "49")
    if r06.name in title:
        spec = replace(spec, name=r06.name, event_key=r06.event_key)
    for item in items:
        if item.get("type") != "landslide" or not _in(item.get("area_code"), areas):
            continue
        area = _area(item.get("area_code"), item.get("area_name"))
        status = str(item.get("status") or "")
        if item.get("kind_code") == "3" and in_force(status):
            builder.add(spec, spec.name, area)
        elif item.get("kind_code") == "1" or status == "解除":
            builder.add(spec, spec.name, area, lifted=True)
        else:
            builder.cover((spec.family,), area["code"])


def _tsunami(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None) -> None:
    for item in items:
        if item.get("type") != "tsunami" or not _in(item.get("area_code"), areas, "tsunami"):
            continue
        area = _area(item.get("area_code"), item.get("area_name"))
        if item.get("category") == "解除":
            last = str(item.get("last_kind_name") or "").split("：")[0]
            builder.add(lookup("tsunami", item.get("last_kind_code"), last), last, area, lifted=True)
        elif item.get("kind_code") and item.get("category") not in ("津波なし", None):
            name = str(item.get("kind_name") or "").split("：")[0]
            builder.add(lookup("tsunami", item.get("kind_code"), name), name, area)
        else:
            builder.cover(("tsunami",), area["code"])


def _rivers(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None) -> None:
    """指定河川洪水予報 / 水位周知河川: one alert per river item, its family the river (which it restates)."""
    report = builder.report
    flood = [i for i in items if i.get("type") == "flood_forecast"]
    if not flood or not (areas is None or any(mie.in_scope(c, areas) for c in report.area_codes)):
        return
    prefecture = [_area(a.get("code"), a.get("name")) for i in flood if "府県予報区" in str(i.get("scope"))
                  for a in _areas_of(i) if _in(a.get("code"), areas)][:1]
    for item in flood:
        if "河川）" not in str(item.get("scope")):
            continue
        rivers = [_area(a.get("code"), a.get("name")) for a in _areas_of(item)]
        name = str(item.get("kind_name") or "")
        system = "flood_r06" if warning_system(name) == "r06" else "flood"
        lifted = "解除" in name or "解除" in str(item.get("condition") or "")
        spec = lookup(system, item.get("kind_code"), name)
        family = "river:" + ",".join(sorted(r["code"] for r in rivers))
        spec = replace(spec, family=family)
        where = tuple(rivers + prefecture)
        builder.cover((family,), *(a["code"] for a in where))
        builder.extra.append(PlannedAlert(key=f"{family}-{'lifted' if lifted else 'issued'}", spec=spec, event=name,
                                          lifted=lifted, areas=where, expires=None if lifted else
                                          _expires(report, spec),
                                          slots={**_common_slots(report), "rivers": [r["name"] for r in rivers]}))


def _record_rain(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None) -> None:
    """記録的短時間大雨情報: an observation; each telegram is a new alert and replaces none."""
    rain = [i for i in items if i.get("type") == "heavy_rain" and _in(i.get("area_code"), areas)]
    if not rain:
        return
    spec = by_key("heavy_rain", "1")
    amounts = next((i.get("amounts") for i in rain if i.get("amounts")), [])
    builder.extra.append(PlannedAlert(
        key="record_rain", spec=spec, event=spec.name, lifted=False,
        areas=tuple(_area(i.get("area_code"), i.get("area_name")) for i in rain),
        expires=_expires(builder.report, spec), slots={**_common_slots(builder.report), "amounts": amounts}))


def _linear_rainband(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None) -> None:
    """顕著な大雨に関する情報 (線状降水帯): an alert for the areas its headline names; each one is new."""
    report = builder.report
    if "顕著な大雨" not in report.info_kind + report.title and not (
            "線状降水帯" in report.headline and "気象防災速報" in report.title + report.info_kind):
        return
    where = [_area(a.get("code"), a.get("name")) for i in items for a in _areas_of(i)
             if _in(a.get("code"), areas)]
    if not where:
        return
    spec = by_key("linear_rainband")
    unique = tuple({a["code"]: a for a in where}.values())
    builder.extra.append(PlannedAlert(key="linear_rainband", spec=spec, event=spec.name, lifted=False, areas=unique,
                                      expires=_expires(report, spec),
                                      slots={**_common_slots(report), "info_text": report.headline}))


def _earthquake(builder: _Builder, items: list[dict[str, Any]], areas: list[str] | None) -> None:
    """Intensity from 震度3 in the areas; a later report on the same earthquake (EventID) replaces it."""
    report = builder.report
    hits = [i for i in items if i.get("type") == "intensity" and i.get("scope") in ("area", "city")
            and _in(i.get("code"), areas, "quake" if i.get("scope") == "area" else "land")
            and intensity_rank(i.get("max_int")) >= intensity_rank(MIN_QUAKE_INTENSITY)]
    if not hits:
        return
    top = max(intensity_rank(i.get("max_int")) for i in hits)
    where = [_area(i.get("code"), i.get("name")) for i in hits if i.get("scope") == "area"] or [
        _area(i.get("code"), i.get("name")) for i in hits]
    quake = next((i for i in items if i.get("type") == "earthquake"), {})
    spec = by_key("earthquake")
    if report.event_id:  # a later report on the same earthquake replaces this one
        spec = replace(spec, family=f"earthquake:{report.event_id}")
    slots = {**_common_slots(report), "intensity": INTENSITY_ORDER[top - 1]}
    if quake.get("origin_time"):
        slots["origin_time"] = quake["origin_time"]
    if report.event_id:
        builder.cover((spec.family,), *(a["code"] for a in where))
    builder.extra.append(PlannedAlert(key="quake", spec=spec, event=spec.name, lifted=False, areas=tuple(where),
                                      expires=_expires(report, spec), slots=slots))


def _nankai(builder: _Builder, areas: list[str] | None) -> None:
    """南海トラフ地震臨時情報: informational, shown on the page and in the feeds; the next one replaces it."""
    report = builder.report
    if "南海トラフ" not in report.info_kind + report.title or "臨時情報" not in report.title:
        return
    spec = by_key("nankai")
    where = ({"code": mie.table().prefecture_area, "name": mie.table().prefecture_name},) if areas is not None else (
        {"code": "", "name": "南海トラフ地震の想定震源域"},)
    builder.cover((spec.family,), *(a["code"] for a in where))
    builder.extra.append(PlannedAlert(key="nankai", spec=spec, event=report.title, lifted=False, areas=where,
                                      expires=_expires(report, spec),
                                      slots={**_common_slots(report), "info_text": report.headline}))
