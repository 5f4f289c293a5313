"""Replay the demo day, compressed, into the fake sources: telegrams, gauge tables, camera stills and posts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Protocol

from bosai.demo.municipal import MunicipalEvent, load_municipal
from bosai.demo.post_payloads import mastodon_status, webhook_body, x_payload
from bosai.demo.scenario_loader import Camera, Scenario, ScenarioPost, Telegram, load_scenario
from bosai.demo.stills import render_still, water_fraction

log = logging.getLogger(__name__)

DEFAULT_SPEED: Final = 120.0  # scenario seconds per wall second: the 18-hour day in about 9 minutes
WEBHOOK_SOURCE: Final = "demo_webhook"
MEDIA_BASE: Final = "http://127.0.0.1:8081/cameras"  # pass f"{fake_sources_base}/cameras" to match the port
WebhookSender = Callable[[str, bytes], Awaitable[None]]  # (source name, JSON body) -> delivered
MunicipalSender = Callable[[MunicipalEvent], Awaitable[None]]  # an evacuation notice or shelter change -> applied


class FakeSourcesLike(Protocol):
    """What the replayer needs of ``bosai.demo.fake_sources.FakeSources``."""

    def publish_jma(self, xml: bytes, *, feed: str = ..., data_type: str = ..., office: str = ...,
                    at: datetime | None = ...) -> str: ...
    def set_gauge_items(self, items: list[dict[str, Any]]) -> None: ...
    def set_camera_image(self, camera_id: str, image: bytes, content_type: str = ...) -> None: ...
    async def push_x_post(self, tweet: dict[str, Any]) -> None: ...
    async def push_mastodon_status(self, status: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True, order=True)
class _Event:
    at: datetime
    rank: int  # telegrams before gauges before cameras before posts at the same instant
    seq: int
    kind: str
    item: Any


class ScenarioReplayer:
    """Pushes each scenario event into the fake sources at its compressed time, deterministically."""

    def __init__(self, fake_sources: FakeSourcesLike, *, scenario: Scenario | None = None,
                 speed: float = DEFAULT_SPEED, start: datetime | None = None, webhook: WebhookSender | None = None,
                 webhook_source: str = WEBHOOK_SOURCE, media_base: str = MEDIA_BASE,
                 client_wait_s: float = 10.0, municipal: MunicipalSender | None = None,
                 municipal_events: list[MunicipalEvent] | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0 (scenario seconds per wall second)")
        self.fakes, self.speed = fake_sources, speed
        self.scenario = scenario or load_scenario()
        self.start = start or self.scenario.default_replay_start
        if not self.scenario.start <= self.start <= self.scenario.end:
            raise ValueError(f"start {self.start.isoformat()} is outside the scenario day")
        self.webhook, self.webhook_source, self.media_base = webhook, webhook_source, media_base
        self.client_wait_s = client_wait_s
        self.municipal = municipal
        self.municipal_events = (municipal_events if municipal_events is not None
                                 else load_municipal() if municipal is not None else [])
        self.counters: Counter[str] = Counter()
        self.events = self._schedule()
        self._stopped = asyncio.Event()
        self._t0: float | None = None
        self._last_water: dict[str, float] = {}

    def _schedule(self) -> list[_Event]:
        """Every event at or after ``start``; telegrams before it are replayed first, at once (backfill)."""
        s = self.scenario
        events = [_Event(max(t.at, self.start), 0, i, "telegram", t) for i, t in enumerate(s.telegrams)]
        first = max(self.start, s.gauge_start)  # no table before the first observation
        times = [first, *(t for t in s.gauge_times() if t > first)]
        events += [_Event(t, 1, i, "gauges", t) for i, t in enumerate(times)]
        shots, at = [], self.start
        while at <= s.end:
            shots.append(at)
            at += s.camera_interval
        events += [_Event(t, 2, i, "cameras", t) for i, t in enumerate(shots)]
        events += [_Event(p.at, 3, i, "post", p) for i, p in enumerate(s.posts) if p.at >= self.start]
        # The municipality's evacuation information and shelters; earlier ones are replayed first (backfill).
        events += [_Event(max(m.at, self.start), 4, i, "municipal", m) for i, m in enumerate(self.municipal_events)]
        self.counters["posts_before_start"] = sum(p.at < self.start for p in s.posts)
        return sorted(events)

    def clock(self) -> datetime:
        """Scenario time now: ``start`` before the run, then advancing at ``speed``, capped at the day's end.

        It reads the monotonic clock, not the event loop's, so that code in the store's writer thread (an
        operator's decision) dates things on the same scenario clock as the loop does.
        """
        if self._t0 is None:
            return self.start
        elapsed = (time.monotonic() - self._t0) * self.speed
        return min(self.start + timedelta(seconds=elapsed), self.scenario.end)

    def progress(self) -> dict[str, Any]:
        """Counters for the status line and health: events pushed per kind, errors, scenario clock."""
        c = self.counters
        pushed = sum(c[k] for k in ("telegram", "gauges", "cameras", "post", "municipal"))
        return {"telegrams": c["telegram"], "gauge_tables": c["gauges"], "camera_rounds": c["cameras"],
                "posts": c["post"], "municipal": c["municipal"], "skipped": c["skipped"], "errors": c["errors"],
                "posts_before_start": c["posts_before_start"], "pushed": pushed, "total": len(self.events),
                "clock": self.clock().isoformat(), "done": pushed + c["errors"] + c["skipped"] >= len(self.events)}

    def stop(self) -> None:
        """Ask :meth:`run` to return before its next event."""
        self._stopped.set()

    async def run(self) -> None:
        """Push every event at its time; a failing push is logged and counted, and the replay goes on."""
        await self._wait_for_stream_clients()
        self._t0 = time.monotonic()
        log.info("demo_replay_started start=%s speed=%s events=%d", self.start.isoformat(), self.speed,
                 len(self.events))
        for event in self.events:
            delay = self._t0 + (event.at - self.start).total_seconds() / self.speed - time.monotonic()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), timeout=delay)
            if self._stopped.is_set():
                log.info("demo_replay_stopped at=%s", self.clock().isoformat())
                return
            await self._dispatch(event)
        log.info("demo_replay_finished progress=%s", self.progress())

    async def _wait_for_stream_clients(self) -> None:
        """Give the X and Mastodon collectors up to ``client_wait_s`` to connect: streams drop unheard posts."""
        wait = getattr(self.fakes, "wait_for_clients", None)
        if wait is None or self.client_wait_s <= 0:
            return
        try:
            await asyncio.wait_for(asyncio.gather(wait("x", 1), wait("mastodon", 1)), timeout=self.client_wait_s)
        except TimeoutError:
            log.warning("demo_replay_stream_clients_missing waited_s=%s", self.client_wait_s)

    async def _dispatch(self, event: _Event) -> None:
        try:
            if event.kind == "telegram":
                self._telegram(event.item)
            elif event.kind == "gauges":
                self.fakes.set_gauge_items(self.scenario.gauge_items(event.item))
            elif event.kind == "cameras":
                self._cameras(event.item)
            elif event.kind == "municipal":
                if self.municipal is None:
                    self.counters["skipped"] += 1
                    return
                await self.municipal(event.item)
            elif not await self._post(event.item):
                self.counters["skipped"] += 1
                return
            self.counters[event.kind] += 1
        except Exception as err:  # one bad event must not stop the demo
            self.counters["errors"] += 1
            log.warning("demo_replay_event_failed kind=%s at=%s error=%r", event.kind, event.at.isoformat(), err)

    def _telegram(self, t: Telegram) -> None:
        self.fakes.publish_jma(t.xml, feed=t.feed, data_type=t.data_type, office=t.office, at=t.at)

    def show_first_stills(self) -> None:
        """Give every camera its still of the start time now, before the collectors' first poll: a real camera
        always has a picture, and a 404 while the replay waits for the stream clients marks the source degraded."""
        self._cameras(self.start)

    def _cameras(self, at: datetime) -> None:
        gauges = {g.code: g for g in self.scenario.gauges}
        for n, cam in enumerate(self.scenario.cameras):
            gauge = gauges.get(cam.gauge or "")
            water = water_fraction(self.scenario.gauge_level(gauge, at), gauge.thresholds_m) if gauge else 0.0
            self.fakes.set_camera_image(cam.id, self._still(cam, at, water, n))

    def _still(self, cam: Camera, at: datetime, water: float, n: int) -> bytes:
        seed = int(at.timestamp()) // 60 * 31 + n
        return render_still(cam.id, cam.kind, at, water, seed=seed)

    async def _post(self, post: ScenarioPost) -> bool:
        for n, name in enumerate(post.media):  # served by the fakes too, so media URLs resolve there
            still = render_still(post.id, "road" if "road" in post.topic else "river", post.at, 0.9, seed=n)
            self.fakes.set_camera_image(Path(name).stem, still)
        if post.channel == "x":
            await self.fakes.push_x_post(x_payload(post, self.media_base))
        elif post.channel == "mastodon":
            await self.fakes.push_mastodon_status(mastodon_status(post, self.media_base))
        elif self.webhook is not None:
            await self.webhook(self.webhook_source, webhook_body(post, self.media_base))
        else:
            return False
        return True
