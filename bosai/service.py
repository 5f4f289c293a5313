"""The running service: builds every component from the config, starts them, and stops them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bosai.bus import MemoryBus
from bosai.context import ServiceContext
from bosai.live import LiveHub
from bosai.notify import AlertNotifier
from bosai.pipeline import Pipeline
from bosai.web.app import create_app
from bosai.web.server import make_runner
from collectors import build_collectors
from collectors.base import Collector
from collectors.runner import CollectorRunner
from kernel import clock as process_clock
from kernel import reference
from kernel.config import AppConfig
from kernel.errors import ConfigError
from kernel.extras import require
from kernel.metrics import Metrics
from kernel.netguard import guarded_session
from kernel.store import Store
from publish import areas as prefecture_areas

log = logging.getLogger(__name__)


def use_reference(config: AppConfig) -> None:
    """Point the process at the configured reference data and prefecture (``[reference]``, ``[publish]``)."""
    reference.configure(config.reference.dir, config.reference.jma_dir)
    p = config.publish
    prefecture_areas.configure(p.prefecture_code, p.quake_areas, p.tsunami_areas)


def load_stages(config: AppConfig) -> tuple[Any, Any]:
    """Load the classifier and the geocoder once (both are slow to load, fast to call)."""
    from classifier.infer import load_classifier
    from geocode import load_geocoder

    c = config.classifier
    classifier = load_classifier(
        c.model_dir, threshold=c.threshold, category_threshold=c.category_threshold,
        quantize=c.quantize, threads=c.threads_per_call(c.workers), max_length=c.max_length, runtime=c.runtime,
    )
    gazetteer = config.geocoder.gazetteer
    geocoder = load_geocoder(gazetteer if Path(gazetteer).exists() else None)
    # Park the ~400,000 long-lived objects of the model, tokenizer and gazetteer outside the collector:
    # every full collection would otherwise walk them again with the GIL held (about 0.2 s each here).
    gc.collect()
    gc.freeze()
    return classifier, geocoder


async def make_bus(config: AppConfig) -> Any:
    """The bus chosen by config: in-process queues, or Redis Streams for several processes."""
    if config.bus.kind == "redis":
        require("scale", 'bus.kind = "redis"', ("redis",))
        from bosai.redis_bus import RedisBus

        b = config.bus
        bus = RedisBus(b.redis_url, prefix=b.redis_prefix, maxlen=b.queue_size,
                       reclaim_idle_ms=int(b.reclaim_idle_s * 1000), max_deliveries=b.max_deliveries)
        await bus.setup()
        return bus
    return MemoryBus(config.bus.queue_size)


ROLES = ("all", "collector", "worker", "web")


class Service:
    """One process: collectors -> pipeline -> store -> web app, or one role of them (scale-out).

    Every role serves the web app on its port (health, metrics, API); ``collector`` also runs the
    collectors, ``worker`` the stage workers, ``all`` both. Roles other than ``all`` need the Redis bus.
    """

    def __init__(self, config: AppConfig, *, demo: bool = False, role: str = "all") -> None:
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        if role != "all" and config.bus.kind != "redis":
            raise ConfigError(f"role {role!r} needs bus.kind = \"redis\" so that processes share the queues")
        if demo:  # the demo's own store and folder: the configured store is never opened, let alone reset
            from bosai.demo.runtime import demo_config

            config = demo_config(config)
        self.config = config
        use_reference(config)
        self.demo_enabled = demo
        self.role = role
        self.metrics = Metrics()
        self.hub = LiveHub()
        self.store = Store(config.store.url, config.store.pool_size)
        self.stopping = asyncio.Event()
        self.runner: Any = None
        self.demo: Any = None
        self.fanout: Any = None
        self.http: list[aiohttp.ClientSession] = []  # the collectors': strict, and for allow_private sources
        self.pipeline: Pipeline | None = None
        self.web_runner: web.AppRunner | None = None
        self.notifier: Any = None  # resident alert delivery, in the processes that run workers

    @property
    def runs_collectors(self) -> bool:
        """Whether this process runs the collectors."""
        return self.role in ("all", "collector")

    @property
    def runs_workers(self) -> bool:
        """Whether this process runs the stage workers."""
        return self.role in ("all", "worker")

    async def start(self, *, port: int | None = None) -> str:
        """Start what the role asks for; return the URL of the web app."""
        cfg = self.config
        data_dir = Path(cfg.service.data_dir)
        await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
        if self.demo_enabled and self.role == "all":
            from bosai.demo.runtime import reset_demo_state

            db = await asyncio.to_thread(reset_demo_state, cfg)
            print(f"Demo: starting from a clean demo state ({db} reset; the configured store is not used)",  # noqa: T201
                  flush=True)
            log.info("demo_state_reset store=%s", db)
        await asyncio.to_thread(self.store.upgrade)
        self.store.start()
        events: Any = self.hub
        if cfg.bus.kind == "redis":
            require("scale", 'bus.kind = "redis"', ("redis",))
            from bosai.live_redis import RedisLiveFanout

            self.fanout = events = RedisLiveFanout(cfg.bus.redis_url, self.hub, f"{cfg.bus.redis_prefix}:live")
            await self.fanout.start()
        classifier, geocoder = await asyncio.to_thread(load_stages, cfg) if self.runs_workers else (None, None)
        clock = None
        sources = list(cfg.sources)
        if self.demo_enabled:
            from bosai.demo.runtime import DemoRuntime

            self.demo = DemoRuntime(cfg, self.store)
            sources = await self.demo.start()
            clock = self.demo.clock
            process_clock.install(clock)  # one clock everywhere: operator decisions, cameras, gauges, the pages
        self.pipeline = Pipeline(
            store=self.store, bus=await make_bus(cfg), classifier=classifier, geocoder=geocoder,
            metrics=self.metrics, hub=events, batch_size=cfg.classifier.batch_size,
            classify_workers=cfg.classifier.workers,
            incident_window=timedelta(minutes=cfg.publish.incident_window_min),
            incident_radius_km=cfg.publish.incident_radius_km, jma_areas=cfg.publish.jma_areas,
            **({"clock": clock} if clock else {}),
        )
        if self.runs_workers:
            self.pipeline.start(resume=self.role == "all")

            self.notifier = AlertNotifier(self.store, cfg, self.hub, **({"clock": clock} if clock else {}))
            await self.notifier.start()
        elif self.runs_collectors:
            self.pipeline.start_resume()
        collectors: list[Collector] = []
        if self.runs_collectors:
            strict, private = guarded_session(allow_private=False), guarded_session(allow_private=True)
            self.http = [strict, private]
            collectors = build_collectors(sources, strict, data_dir, private_http=private)
        self.runner = CollectorRunner(
            collectors, self.pipeline.ingest, self.metrics, on_bad_item=self.pipeline.reject
        )
        ctx = ServiceContext(
            config=cfg, store=self.store, metrics=self.metrics, hub=self.hub, health=self.runner.health,
            queue_depths=self.pipeline.queue_depths, webhook_handlers=self.runner.webhook_handlers(),
            readiness=self.readiness, **({"clock": clock} if clock else {}),
            extra={"sources": sources},  # the blocks in use (the demo's too): gauge thresholds for the public page
        )

        self.web_runner = make_runner(create_app(ctx), cfg.web, handle_signals=False, access_log=None)
        await self.web_runner.setup()
        host, port = cfg.service.host, port or cfg.service.port
        await web.TCPSite(self.web_runner, host, port).start()
        await self.runner.start()
        url = f"http://{host}:{port}/"
        if self.demo is not None:
            await self.demo.run(ctx, url)
        log.info("service_started url=%s role=%s sources=%d demo=%s", url, self.role, len(collectors),
                 self.demo_enabled)
        return url

    def readiness(self) -> dict[str, bool]:
        """What /readyz checks besides the database: the parts this role runs, and not shutting down."""
        checks = {"accepting": not self.stopping.is_set()}
        if self.runs_workers:
            checks["workers"] = self.pipeline is not None and self.pipeline.workers_running()
        if self.runs_collectors:
            checks["collectors"] = self.runner is not None and self.runner.running
        return checks

    async def stop(self) -> None:
        """Stop taking items, finish what is queued, then close everything (SIGTERM path)."""
        log.info("service_stopping")
        self.stopping.set()  # /readyz answers 503 from now on, so load balancers route elsewhere while we drain
        if self.demo is not None:
            await self.demo.stop()
            process_clock.reset()
        if self.runner is not None:
            await self.runner.stop()
        if self.pipeline is not None:
            if self.runs_workers:
                drained = await self.pipeline.drain()
                log.info("pipeline_drained complete=%s", drained)
            await self.pipeline.stop()
        if self.notifier is not None:
            await self.notifier.stop()
        if self.web_runner is not None:
            await self.web_runner.cleanup()
        for session in self.http:
            await session.close()
        if self.fanout is not None:
            await self.fanout.stop()
        await asyncio.to_thread(self.store.close)
        log.info("service_stopped")

    async def run_forever(self, *, port: int | None = None) -> None:
        """Start, print the URL, and run until SIGTERM or SIGINT."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self.stopping.set)
        try:
            url = await self.start(port=port)
            print(f"Bosai Watch is running: open {url}", flush=True)  # noqa: T201 - the user's cue
            await self.stopping.wait()
        finally:
            await self.stop()
