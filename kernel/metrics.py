"""Prometheus metrics of one service instance (no global registry: each app builds its own)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class Metrics:
    """The metric families named in SPEC section 2."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.items_ingested = Counter(
            "bosai_items_ingested", "Items accepted from a source and stored raw", ["source"],
            registry=self.registry,
        )
        self.items_duplicate = Counter(
            "bosai_items_duplicate", "Items skipped because (source, source_id) was already stored",
            ["source"], registry=self.registry,
        )
        self.items_processed = Counter(
            "bosai_items_processed", "Items that finished a pipeline stage", ["stage"], registry=self.registry
        )
        self.source_errors = Counter(
            "bosai_source_errors", "Failed fetches or bad items per source", ["source"], registry=self.registry
        )
        self.queue_depth = Gauge(
            "bosai_queue_depth", "Items waiting before a stage", ["stage"], registry=self.registry
        )
        self.stage_latency = Histogram(
            "bosai_stage_latency_seconds", "Time spent in a stage per batch", ["stage"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.ingest_to_publish = Histogram(
            "bosai_ingest_to_publish_seconds", "From raw item stored to its incident published",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )

    def render(self) -> bytes:
        """Return the Prometheus text exposition."""
        return generate_latest(self.registry)
