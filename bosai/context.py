"""What the web app and the stages share at run time, built once by the service and passed in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bosai.live import LiveHub
from kernel.config import AppConfig
from kernel.metrics import Metrics
from kernel.store import Store

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def utc_now() -> datetime:
    """The wall clock, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    """Injected dependencies of the web app and the pipeline."""

    config: AppConfig
    store: Store
    metrics: Metrics
    hub: LiveHub
    health: Callable[[], dict[str, dict[str, Any]]] = dict  # per-source state, from the collector runner
    queue_depths: Callable[[], dict[str, int]] = dict
    # What this process must have running to serve, by name (workers, collectors), for /readyz.
    readiness: Callable[[], dict[str, bool]] = dict
    webhook_handlers: dict[str, Handler] = field(default_factory=dict)  # source name -> POST handler
    clock: Callable[[], datetime] = utc_now  # the demo runs on scenario time
    extra: dict[str, Any] = field(default_factory=dict)
