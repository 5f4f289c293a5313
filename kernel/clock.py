"""The process's clock: the wall clock, or the demo's scenario clock once ``bosai serve --demo`` installs it.

Times that residents and operators read (operator decisions, camera stills, gauge staleness) come from here,
so the demo shows one day on one clock instead of the replayed day beside today's date. Code that runs on a
clock passed in explicitly (the pipeline, the web app's ``ctx.clock``) gets the same one from the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def wall() -> datetime:
    """The wall clock, timezone-aware."""
    return datetime.now(UTC)


_current: list[Clock] = [wall]


def now() -> datetime:
    """The time on the installed clock."""
    return _current[0]()


def install(clock: Clock) -> None:
    """Make ``clock`` the process's clock (the demo's scenario time)."""
    _current[0] = clock


def reset() -> None:
    """Back to the wall clock."""
    _current[0] = wall


@contextmanager
def using(clock: Clock) -> Iterator[None]:
    """Install ``clock`` for a block (tests)."""
    previous = _current[0]
    install(clock)
    try:
        yield
    finally:
        install(previous)
