"""The collector interface: one module per source kind, one config block per source."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from kernel.config import SourceConfig
from kernel.errors import SourceDataError, SourceError

if TYPE_CHECKING:
    import aiohttp

    from kernel.records import Record

log = logging.getLogger(__name__)

RejectHook = Callable[[str, SourceDataError], Awaitable[None]]
REGISTRY: dict[str, type[Collector]] = {}


async def _log_reject(source: str, error: SourceDataError) -> None:
    log.warning("source_bad_item source=%s source_id=%s error=%s", source, error.source_id, error)


class Collector(ABC):
    """A source of records: ``records()`` yields ``(record, raw_bytes)`` pairs.

    Poll collectors yield what is new since the last call and stop; stream collectors yield until
    cancelled. Faults surface as SourceUnavailable (retry later) or SourceDataError (bad payload).
    A bad item inside a good payload is handed to :meth:`reject` so that the rest goes on.
    """

    kind: ClassVar[str]
    mode: ClassVar[Literal["poll", "stream"]]

    class Config(SourceConfig):
        """Keys shared by every source; subclasses add their own."""

    def __init_subclass__(cls, kind: str | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if kind is None:
            return
        if kind in REGISTRY and REGISTRY[kind].__qualname__ != cls.__qualname__:
            raise TypeError(f"collector kind {kind!r} is registered twice")
        cls.kind = kind
        REGISTRY[kind] = cls

    def __init__(self, config: SourceConfig, http: aiohttp.ClientSession, data_dir: Path) -> None:
        self.config = config
        self.name = config.name
        self.http = http
        self.data_dir = Path(data_dir)
        self._reject_hook: RejectHook = _log_reject
        self._alive_hook: Callable[[], None] = lambda: None

    def bind(self, *, reject: RejectHook | None = None, alive: Callable[[], None] | None = None) -> None:
        """Let the runner receive bad items and liveness signals (connected, heartbeat)."""
        if reject is not None:
            self._reject_hook = reject
        if alive is not None:
            self._alive_hook = alive

    async def reject(self, error: SourceDataError) -> None:
        """Report one bad item (raw bytes kept in the error) without stopping the collector."""
        await self._reject_hook(self.name, error)

    def alive(self) -> None:
        """Signal that the source answered (a stream connected or sent a heartbeat)."""
        self._alive_hook()

    def delivered(self, record: Record, error: BaseException | None) -> None:
        """Called by the runner once ``record`` is stored (``error`` None) or could not be (a source that
        acknowledges upstream, like the webhook, answers its sender here)."""
        return  # most sources have nobody to answer

    def retry_delay(self, error: SourceError, attempt: int) -> float | None:
        """Source-specific reconnect delay in seconds, or None to use the runner's backoff."""
        return None

    @abstractmethod
    def records(self) -> AsyncIterator[tuple[Record, bytes]]:
        """Yield ``(record, raw)`` pairs: what is new (poll) or until cancelled (stream)."""


class PollingCollector(Collector):
    """A source fetched every ``interval_s`` seconds by the scheduler."""

    mode = "poll"

    class Config(SourceConfig):
        """Poll sources add an interval."""

        interval_s: float = Field(default=60.0, gt=0)

    @property
    def interval_s(self) -> float:
        """Seconds between two polls."""
        return float(getattr(self.config, "interval_s", 60.0))


class StreamingCollector(Collector):
    """A long-lived connection supervised by the runner, which reconnects it with backoff."""

    mode = "stream"
