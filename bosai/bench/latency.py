"""What a load run keeps of its posts: fixed-size send times and latency counts per millisecond.

A soak sends 1.4 million posts an hour. Keeping a time per post in dicts grew the benchmark's own memory
by hundreds of MB in the process whose memory the soak measures; these structures are allocated once or
stay at a few thousand entries however long the run.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class LatencyHistogram:
    """Latencies counted per whole millisecond: exact to 1 ms, bounded by the spread of latencies."""

    counts: Counter[int] = field(default_factory=Counter)
    total: int = 0
    sum_s: float = 0.0

    def add(self, seconds: float) -> None:
        self.counts[max(0, round(seconds * 1000))] += 1
        self.total += 1
        self.sum_s += seconds

    def quantile(self, q: float) -> float | None:
        """The latency at rank ``int(q * (n - 1))`` in seconds (None when empty)."""
        if not self.total:
            return None
        rank, seen = int(q * (self.total - 1)), 0
        for ms in sorted(self.counts):
            seen += self.counts[ms]
            if seen > rank:
                return ms / 1000
        raise AssertionError("unreachable: the counts add up to total")

    def mean(self) -> float | None:
        return self.sum_s / self.total if self.total else None


@dataclass
class LatencyWindows:
    """Latencies of the whole run and per window of send time (a minute, ten minutes...)."""

    width_s: float
    overall: LatencyHistogram = field(default_factory=LatencyHistogram)
    windows: dict[int, LatencyHistogram] = field(default_factory=dict)

    def add(self, sent_offset_s: float, latency_s: float) -> None:
        self.overall.add(latency_s)
        self.windows.setdefault(int(sent_offset_s // self.width_s), LatencyHistogram()).add(latency_s)

    def p95_by_window(self) -> list[list[float]]:
        """[window start s, samples, p95 s] per window, in order."""
        return [[k * self.width_s, h.total, h.quantile(0.95) or 0.0] for k, h in sorted(self.windows.items())]


class SendLog:
    """When each post of a run was written to the stream, and whether its event has been seen: one slot per
    post, allocated before the run starts."""

    def __init__(self, capacity: int) -> None:
        self.t0 = 0.0  # when sending began
        self.sent = array("d", bytes(8 * capacity))
        self.seen = bytearray(capacity)

    def first_sight(self, index: int) -> float | None:
        """The send time of post ``index`` the first time its event is seen; None after that or if unknown."""
        if not 0 <= index < len(self.seen) or self.seen[index]:
            return None
        self.seen[index] = 1
        return self.sent[index]


def posts_planned(phases: list[tuple[float, float]]) -> int:
    """Upper bound of the posts a run of (rate, seconds) phases sends."""
    return sum(math.ceil(rate * seconds) + 1 for rate, seconds in phases)
