"""Post classifier: a compact Japanese BERT that flags disaster posts and tags their hazards."""

from __future__ import annotations

__all__: list[str] = []
