"""Generator of the labelled corpus: hand-written phrase banks, sentence frames and writing styles."""

from __future__ import annotations
