"""River water-level gauges: MLIT-style JSON (or CSV) readings -> GaugeReading with level, trend, crossings."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import aiohttp
from pydantic import Field

from collectors.base import PollingCollector
from collectors.fetch import decode_text, fetch
from collectors.gauge_levels import THRESHOLD_NAMES, Thresholds, crossing, next_level, trend_m_per_h
from kernel import clock as process_clock
from kernel.config import Block
from kernel.errors import SourceDataError
from kernel.records import GaugeReading, Record

log = logging.getLogger(__name__)


class GaugeSpec(Block):
    """One gauge: its upstream id (MLIT ``code``), where it is, and its thresholds."""

    id: str
    name: str
    river: str
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    thresholds_m: Thresholds


@dataclass
class _GaugeState:
    level: int = 0
    last_obs: datetime | None = None
    last_new_at: datetime | None = None  # our clock when the last new obsTime arrived
    stale_reported: bool = False
    history: deque[tuple[datetime, float]] = field(default_factory=lambda: deque(maxlen=64))


def parse_readings(body: bytes, fmt: Literal["json", "csv"], charset: str | None = None) -> list[dict[str, Any]]:
    """Rows with code, obsTime and level from MLIT JSON (``items`` or ``obss``) or CSV with those columns.

    Text in Shift_JIS or EUC-JP (declared or not) is decoded, since Japanese endpoints still serve it.
    """
    text = decode_text(body, charset).lstrip("\ufeff")
    try:
        if fmt == "csv":
            return list(csv.DictReader(io.StringIO(text)))
        data = json.loads(text)
    except (json.JSONDecodeError, csv.Error, RecursionError) as err:  # RecursionError: nested too deep
        raise SourceDataError(f"unreadable gauge {fmt}: {err}", raw=body) from err
    rows = data.get("items", data.get("obss")) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise SourceDataError("gauge JSON has no items/obss list", raw=body)
    return [r for r in rows if isinstance(r, dict)]


def _level(value: Any) -> float | None:
    if value in (None, "", "-"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# Thresholds of every gauge a collector in this process watches, by gauge id: the command center shows a reading
# against them (the demo's gauges are configured at start-up, not in config.toml).
KNOWN_THRESHOLDS: dict[str, dict[str, float | None]] = {}


def configured_thresholds(sources: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Thresholds of the gauges in ``[[sources]]`` blocks and of those watched in this process, by gauge id."""
    found: dict[str, dict[str, float | None]] = {}
    for block in sources:
        if block.get("kind") != "river_gauge":
            continue
        for gauge in block.get("gauges") or []:
            if isinstance(gauge, dict) and isinstance(gauge.get("thresholds_m"), dict):
                found[str(gauge.get("id"))] = dict(gauge["thresholds_m"])
    return {**found, **KNOWN_THRESHOLDS}


class RiverGauge(PollingCollector, kind="river_gauge"):
    """Polls a readings endpoint and yields one GaugeReading per configured gauge and new obsTime."""

    class Config(PollingCollector.Config):
        """Endpoint, format and the configured gauges."""

        url: str
        format: Literal["json", "csv"] = "json"
        interval_s: float = Field(default=300.0, gt=0)
        gauges: list[GaugeSpec] = Field(min_length=1)
        hysteresis_m: float = Field(default=0.05, ge=0)  # a level falls only this far below its threshold
        stale_after_min: float = Field(default=60.0, gt=0)  # no new obsTime for this long (our clock) -> stale
        trend_window_min: float = Field(default=60.0, gt=0)
        max_bytes: int = Field(default=8 * 1024 * 1024, gt=0)

    config: Config

    def __init__(self, config: Config, http: aiohttp.ClientSession, data_dir: Path,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(config, http, data_dir)
        self.clock = clock or process_clock.now  # the demo's scenario time in the demo
        self._specs = {g.id: g for g in config.gauges}
        self._state = {g.id: _GaugeState() for g in config.gauges}
        KNOWN_THRESHOLDS.update({g.id: g.thresholds_m.model_dump() for g in config.gauges})

    async def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Yield readings newer than the last seen per gauge, and one stale marker per silent gauge."""
        cfg = self.config
        resp = await fetch(self.http, cfg.url, timeout_s=cfg.timeout_s, allow_private=cfg.allow_private,
                           max_bytes=cfg.max_bytes)
        rows = parse_readings(resp.body, cfg.format, resp.charset)
        seen: set[str] = set()
        for row in rows:
            code = str(row.get("code", ""))
            if code not in self._specs:
                continue
            raw = json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8")
            try:
                obs = datetime.fromisoformat(str(row.get("obsTime")))
                if obs.tzinfo is None:
                    raise ValueError("obsTime without UTC offset")
            except ValueError as err:
                await self.reject(SourceDataError(f"gauge {code}: bad obsTime: {err}", raw=raw, source_id=code))
                continue
            seen.add(code)
            reading = self._reading(self._specs[code], obs, _level(row.get("level")))
            if reading is not None:
                yield reading, raw
        for gauge_id, spec in self._specs.items():
            stale = self._stale(spec)
            if stale is not None:
                yield stale, json.dumps({"code": gauge_id, "stale": True}).encode()

    def _reading(self, spec: GaugeSpec, obs: datetime, value: float | None) -> GaugeReading | None:
        state = self._state[spec.id]
        if state.last_obs is not None and obs <= state.last_obs:
            return None
        state.last_obs, state.last_new_at, state.stale_reported = obs, self.clock(), False
        previous, first = state.level, not state.history
        if value is not None:
            state.history.append((obs, value))
            state.level = next_level(previous, value, spec.thresholds_m, self.config.hysteresis_m)
        window = obs - timedelta(minutes=self.config.trend_window_min)
        trend = trend_m_per_h([p for p in state.history if p[0] >= window])
        change = None if first else crossing(previous, state.level)  # the first value sets the baseline
        if change:
            log.info("gauge_crossing source=%s gauge=%s direction=%s level=%d value=%s",
                     self.name, spec.id, change, state.level, value)
        return self._record(spec, obs, value, state.level, trend, change, stale=False)

    def _stale(self, spec: GaugeSpec) -> GaugeReading | None:
        state = self._state[spec.id]
        if state.last_obs is None or state.last_new_at is None or state.stale_reported:
            return None
        if self.clock() - state.last_new_at < timedelta(minutes=self.config.stale_after_min):
            return None  # measured on our clock, so upstream clock skew (or a replayed day) does not matter
        state.stale_reported = True
        log.warning("gauge_stale source=%s gauge=%s last_obs=%s", self.name, spec.id, state.last_obs.isoformat())
        last_value = state.history[-1][1] if state.history else None
        return self._record(spec, state.last_obs, last_value, state.level, None, None, stale=True)

    def _record(self, spec: GaugeSpec, obs: datetime, value: float | None, level: int,
                trend: float | None, change: Literal["up", "down"] | None, *, stale: bool) -> GaugeReading:
        suffix = ":stale" if stale else ""
        return GaugeReading(
            source=self.name,
            source_id=f"{spec.id}:{obs.isoformat()}{suffix}",
            observed_at=obs,
            gauge_id=spec.id,
            name=spec.name,
            river=spec.river,
            lat=spec.lat,
            lng=spec.lng,
            level_m=value,
            warning_level=level,
            threshold_name=THRESHOLD_NAMES.get(level),
            trend_m_per_h=round(trend, 3) if trend is not None else None,
            crossing=change,
            stale=stale,
        )
