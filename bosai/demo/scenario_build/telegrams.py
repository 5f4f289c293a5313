"""Builders of the scenario's other telegram kinds: VXWW50, VPOA50, VXKO and VXSE53."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from bosai.demo.scenario_build.areas import PREFECTURE, landslide_areas
from bosai.demo.scenario_build.xmlkit import (
    NS_EB,
    NS_METE,
    NS_SEIS,
    TSU_OFFICE,
    area,
    body,
    head,
    report,
    sub,
    to_bytes,
)


def build_vxww50(*, at: datetime, serial: int, alert: set[str], previous: set[str], text: str) -> bytes:
    """土砂災害警戒情報 for Mie: ``alert`` holds the landslide area codes now under alert."""
    title = "三重県土砂災害警戒情報"
    root = report("土砂災害警戒情報", at, publishing=f"三重県 {TSU_OFFICE}")
    headline = head(root, title=title, at=at, info_kind="土砂災害警戒情報", version="1.0_0", event_id=title,
                    serial=str(serial), text=text)
    rows = []
    for code, name in landslide_areas():
        if code in alert:
            rows.append((code, name, "警戒", "3", "継続" if code in previous else "発表"))
        elif code in previous:
            rows.append((code, name, "解除", "1", "解除"))
        else:
            rows.append((code, name, "なし", "0", "なし"))
    info = sub(headline, "Information", type="土砂災害警戒情報")
    for kind_name, kind_code, cond in (("警戒", "3", "発表"), ("警戒", "3", "継続"), ("解除", "1", "解除")):
        chosen = [(c, n) for c, n, k, _, s in rows if k == kind_name and s == cond]
        if chosen:
            item = sub(info, "Item")
            kind = sub(item, "Kind")
            sub(kind, "Name", kind_name)
            sub(kind, "Code", kind_code)
            sub(kind, "Condition", cond)
            holder = sub(item, "Areas", codeType="気象・地震・火山情報／市町村等")
            for code, name in chosen:
                area(holder, name, code)
    b = body(root, NS_METE)
    area(b, *PREFECTURE, tag="TargetArea")
    warning = sub(b, "Warning", type="土砂災害警戒情報")
    for code, name, kind_name, kind_code, status in rows:
        item = sub(warning, "Item")
        kind = sub(item, "Kind")
        sub(kind, "Name", kind_name)
        sub(kind, "Code", kind_code)
        sub(kind, "Status", status)
        area(item, name, code)
    offices = sub(b, "OfficeInfo")
    for office_type, name, contact in (("都道府県", "三重県", "三重県県土整備部砂防課"),
                                       ("気象庁", TSU_OFFICE, f"{TSU_OFFICE}（気象関係）")):
        office = sub(offices, "Office", type=office_type)
        sub(office, "Name", name)
        sub(office, "ContactInfo", contact)
    return to_bytes(root)


def build_vpoa50(*, at: datetime, serial: int, text: str) -> bytes:
    """記録的短時間大雨情報 for Mie (headline text names the place and the amount)."""
    root = report("記録的短時間大雨情報", at)
    headline = head(root, title="三重県記録的短時間大雨情報", at=at, info_kind="記録的短時間大雨情報",
                    version="1.0_0", event_id=f"JPNG{at:%Y%m%d%H%M}_{at:%Y%m%d%H%M}", serial=str(serial), text=text)
    for parent, tag in ((sub(headline, "Information", type="記録的短時間大雨情報（発表細分）"), "Condition"),
                        (sub(body(root, NS_METE), "Warning", type="記録的短時間大雨情報（発表細分）"), "Status")):
        item = sub(parent, "Item")
        kind = sub(item, "Kind")
        sub(kind, "Name", "記録的短時間大雨情報")
        sub(kind, "Code", "1")
        sub(kind, tag, "発表")
        if tag == "Condition":
            area(sub(item, "Areas", codeType="気象情報／府県予報区・細分区域等"), *PREFECTURE)
        else:
            area(item, *PREFECTURE)
    return to_bytes(root)


@dataclass(frozen=True, slots=True)
class FloodForecast:
    """One 指定河川洪水予報: the river, its reference station, the kind and the observed water level."""

    river: str
    river_code: str  # 10 digits (invented for the demo)
    forecast_area_code: str  # 12 digits (invented for the demo)
    station: str
    station_code: str  # 17 digits (invented for the demo)
    location: str
    city: str
    city_code: str
    kind_name: str  # 氾濫注意情報 / 氾濫警戒情報 / 氾濫危険情報 / 氾濫注意情報解除
    kind_code: str  # 20 / 30 / 40 / 10
    condition: str  # e.g. 洪水警報（発表）
    level_m: float
    level: int  # 警戒レベル相当 reached (0 when released)
    trend: str  # 上昇 / 下降 / 正常
    main_text: str
    sub_cities: str


def build_vxko(*, at: datetime, serial: int, f: FloodForecast, headline_text: str) -> bytes:
    """指定河川洪水予報 issued jointly by 三重河川国道事務所 and 津地方気象台."""
    root = report("指定河川洪水予報", at, publishing=f"国土交通省三重河川国道事務所 {TSU_OFFICE}")
    headline = head(root, title=f"{f.river}{f.kind_name}", at=at, info_kind="指定河川洪水予報",
                    version="1.1_1", event_id=f.forecast_area_code, serial=str(serial), text=headline_text)
    for info_type, code_type, name, code in (
        ("指定河川洪水予報（予報区域）", "指定河川洪水予報（予報区域）", f.river, f.forecast_area_code),
        ("指定河川洪水予報（河川）", "河川", f.river, f.river_code),
        ("指定河川洪水予報（府県予報区等）", "気象情報／府県予報区・細分区域等", *PREFECTURE),
    ):
        item = sub(sub(headline, "Information", type=info_type), "Item")
        kind = sub(item, "Kind")
        sub(kind, "Name", f.kind_name)
        sub(kind, "Code", f.kind_code)
        sub(kind, "Condition", f.condition)
        area(sub(item, "Areas", codeType=code_type), name, code)
    b = body(root, NS_METE)
    warning = sub(b, "Warning", type="指定河川洪水予報")
    item = sub(warning, "Item")
    prop = sub(sub(item, "Kind"), "Property")
    sub(prop, "Type", "主文")
    sub(prop, "Text", f.main_text)
    area(sub(item, "Areas", codeType="河川"), f.river, f.river_code)
    station = sub(sub(item, "Stations"), "Station")
    sub(station, "Name", f.station)
    sub(station, "Code", f.station_code, type="水位観測所")
    sub(station, "Location", f.location)
    if f.level >= 3:
        _inundation_item(warning, f)
    series = sub(sub(b, "MeteorologicalInfos", type="水位・流量情報"), "TimeSeriesInfo")
    define = sub(sub(series, "TimeDefines"), "TimeDefine", timeId="1")
    sub(define, "DateTime", at.replace(minute=at.minute - at.minute % 10, second=0).isoformat())
    sub(define, "Name", "現況")
    level_item = sub(series, "Item")
    kind = sub(level_item, "Kind")
    sub(kind, "Name", "水位")
    prop = sub(kind, "Property")
    sub(prop, "Type", "水位")
    part = sub(prop, "WaterLevelPart")
    sub(part, "WaterLevel", f"{f.level_m:.2f}", ns=NS_EB, type="水位", unit="m", refID="1", condition=f.trend)
    sub(part, "WaterLevel", str(f.level) if f.level else "", ns=NS_EB, type="レベル", refID="1")
    st = sub(level_item, "Station")
    sub(st, "Name", f.station)
    sub(st, "Code", f.station_code, type="水位観測所")
    sub(st, "Location", f.location)
    return to_bytes(root)


def _inundation_item(warning: etree._Element, f: FloodForecast) -> None:
    item = sub(warning, "Item")
    kind = sub(item, "Kind")
    sub(kind, "Name", "浸水想定地区")
    sub(kind, "Code", "1")
    sub(kind, "Status", "対象地域")
    prop = sub(kind, "Property")
    sub(prop, "Type", "浸水想定地区")
    sub(prop, "Text", "氾濫による浸水が想定される地区")
    a = sub(sub(item, "Areas"), "Area", codeType="水位観測所")
    for tag, value in (("Name", f.station), ("Code", f.station_code), ("Prefecture", "三重県"),
                       ("PrefectureCode", "24000"), ("City", f.city), ("CityCode", f.city_code),
                       ("SubCityList", f.sub_cities)):
        sub(a, tag, value)


@dataclass(frozen=True, slots=True)
class Quake:
    """A small felt earthquake: hypocenter, magnitude and intensities per municipality."""

    origin: datetime
    area_name: str
    area_code: str
    lat: float
    lon: float
    depth_km: int
    magnitude: float
    cities: tuple[tuple[str, str, str, str, str], ...]  # (seismic area code, city name, city code, station, int)


_SEIS_AREAS = {"460": "三重県北部", "461": "三重県中部", "462": "三重県南部"}


def build_vxse53(*, at: datetime, q: Quake, text: str) -> bytes:
    """震源・震度に関する情報 for a small quake felt in Mie (no tsunami)."""
    root = report("震源・震度に関する情報", at, editorial="気象庁本庁", publishing="気象庁")
    head(root, title="震源・震度情報", at=at, info_kind="地震情報", version="1.1_0",
         event_id=q.origin.strftime("%Y%m%d%H%M%S"), serial="1", text=text)
    b = body(root, NS_SEIS)
    eq = sub(b, "Earthquake")
    sub(eq, "OriginTime", q.origin.isoformat(timespec="seconds"))
    sub(eq, "ArrivalTime", q.origin.isoformat(timespec="seconds"))
    hypo = sub(sub(eq, "Hypocenter"), "Area")
    sub(hypo, "Name", q.area_name)
    sub(hypo, "Code", q.area_code, type="震央地名")
    desc = f"北緯{q.lat:.1f}度　東経{q.lon:.1f}度　深さ　{q.depth_km}ｋｍ"
    sub(hypo, "Coordinate", f"+{q.lat:.1f}+{q.lon:.1f}-{q.depth_km * 1000}/", ns=NS_EB, description=desc,
        type="震源位置（度分）")
    sub(eq, "Magnitude", f"{q.magnitude:.1f}", ns=NS_EB, type="Mj", description=f"Ｍ{q.magnitude:.1f}")
    obs = sub(sub(b, "Intensity"), "Observation")
    ints = [c[4] for c in q.cities]
    max_int = max(ints)
    sub(obs, "MaxInt", max_int)
    pref = sub(obs, "Pref")
    sub(pref, "Name", "三重県")
    sub(pref, "Code", "24")
    sub(pref, "MaxInt", max_int)
    for code, name in _SEIS_AREAS.items():
        cities = [c for c in q.cities if c[0] == code]
        if not cities:
            continue
        a = area(pref, name, code)
        sub(a, "MaxInt", max(c[4] for c in cities))
        for _, city, city_code, station, value in cities:
            c = area(a, city, city_code, tag="City")
            sub(c, "MaxInt", value)
            s = area(c, station, city_code[:5] + "30", tag="IntensityStation")
            sub(s, "Int", value)
    comment = sub(sub(b, "Comments"), "ForecastComment", codeType="固定付加文")
    sub(comment, "Text", "この地震による津波の心配はありません。")
    sub(comment, "Code", "0215")
    return to_bytes(root)
