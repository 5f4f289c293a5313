"""Where the collector tests find their fixtures (a uniquely named module, importable from any test)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jma"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "jma" / "samples"
