"""Programs some tests need: skipped where missing, but a failure under BOSAI_REQUIRE_SERVERS=1.

scripts/test.sh installs them and sets that variable, so there a missing program must not turn a check
into a silent skip (the same rule as for the PostgreSQL and Redis servers).
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str, *, require: bool | None = None) -> str:
    """The path of the program ``name``; skip where it is missing, or fail when servers are required.

    ``require`` overrides the BOSAI_REQUIRE_SERVERS environment variable (for testing this function).
    """
    found = shutil.which(name)
    if found is not None:
        return found
    if os.environ.get("BOSAI_REQUIRE_SERVERS") == "1" if require is None else require:
        pytest.fail(f"{name} is not installed: scripts/test.sh installs it (BOSAI_REQUIRE_SERVERS=1)")
    pytest.skip(f"{name} not installed (scripts/test.sh installs it)")
