"""指定河川洪水予報 for 雲出川 and 鈴鹿川, issued when the demo hydrograph crosses a threshold."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from bosai.demo.scenario_build.telegrams import FloodForecast, build_vxko

# gauge code -> river code, forecast-area code, station code (INVENTED), city, city code, 浸水想定地区
FORECAST_RIVERS: Final = {
    "2499000101": ("8906040001", "890604000100", "89060400010000101", "津市", "2420100",
                   "一志町 久居新町 戸木町 雲出本郷町 香良洲町"),
    "2499000102": ("8906010001", "890601000100", "89060100010000102", "鈴鹿市", "2420700",
                   "高岡町 神戸 若松 十宮町"),
}
_HYSTERESIS_M: Final = 0.05
# level reached -> (kind name, code, condition when rising, condition when falling)
_KINDS: Final = {
    2: ("氾濫注意情報", "20", "洪水注意報（発表）", "洪水注意報（警報から注意報）"),
    3: ("氾濫警戒情報", "30", "洪水警報（発表）", "洪水警報（継続）"),
    4: ("氾濫危険情報", "40", "洪水警報（発表）", "洪水警報（継続）"),
}
_THRESHOLD: Final = {2: "氾濫注意水位", 3: "避難判断水位", 4: "氾濫危険水位"}


def _level(value: float, th: list[float], current: int) -> int:
    """警戒レベル相当 (0 or 2-4) with a small hysteresis so gauge noise does not flap."""
    up = 1 + sum(value >= t for t in th[1:])
    down = 1 + sum(value >= t - _HYSTERESIS_M for t in th[1:])
    level = up if up > current else min(current, down)
    return level if level >= 2 else 0


def flood_forecasts(gauges: dict[str, Any]) -> list[tuple[datetime, str, bytes]]:
    """One VXKO telegram 10 minutes after each level change at the two designated gauges."""
    start, step = datetime.fromisoformat(gauges["start"]), timedelta(minutes=gauges["step_min"])
    out: list[tuple[datetime, str, bytes]] = []
    for g in gauges["gauges"]:
        if g["code"] not in FORECAST_RIVERS:
            continue
        th = list(g["thresholds_m"].values())
        current, serial = 0, 0
        for i, value in enumerate(g["levels_m"]):
            new = _level(value, th, current)
            if new == current:
                continue
            serial += 1
            at = start + step * i + timedelta(minutes=10)
            trend = "上昇" if new > current else "下降"
            out.append((at, "VXKO60", _telegram(g, at, serial, new, current, value, trend)))
            current = new
    return out


def _telegram(g: dict[str, Any], at: datetime, serial: int, new: int, old: int, value: float, trend: str) -> bytes:
    river_code, area_code, station_code, city, city_code, subs = FORECAST_RIVERS[g["code"]]
    station = f"{g['station']}水位観測所"
    where = f"{g['river']}の{station}（{city}）"
    if new == 0:
        name, code, cond = "氾濫注意情報解除", "10", "洪水注意報（解除）"
        main = f"{where}では、氾濫注意水位を下回り、氾濫のおそれはなくなりました。"
        head_text = f"{g['river']}では、氾濫のおそれはなくなりました。"
    else:
        name, code, up_cond, down_cond = _KINDS[new]
        cond = up_cond if new > old else down_cond
        rising = new > old
        verb = "に到達し、今後、水位はさらに上昇する見込みです" if rising else "を上回る水位で推移しています"
        main = f"【警戒レベル{new}相当】{where}では、「{_THRESHOLD[new]}」{verb}。"
        head_text = (f"【警戒レベル{new}相当情報［洪水］】{g['river']}では、"
                     f"{_THRESHOLD[new]}{'に到達' if rising else 'を上回る水位で推移'}")
    forecast = FloodForecast(
        river=g["river"], river_code=river_code, forecast_area_code=area_code, station=station,
        station_code=station_code, location=f"三重県{city}", city=city, city_code=city_code,
        kind_name=name, kind_code=code, condition=cond, level_m=value, level=new, trend=trend,
        main_text=main, sub_cities=subs)
    return build_vxko(at=at, serial=serial, f=forecast, headline_text=head_text)
