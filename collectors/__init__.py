"""Source collectors: one module per kind; ``build_collectors`` turns ``[[sources]]`` blocks into objects."""

from __future__ import annotations

from collectors.base import Collector
from collectors.registry import build_collectors, discover, registered_kinds, webhook_collectors

__all__ = ["Collector", "build_collectors", "discover", "registered_kinds", "webhook_collectors"]
