"""Fixtures of the security tests: the fake sources and a client session."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))  # web_factories (row factories)


