"""Fixtures of the web tests: a tmp SQLite store and a service context over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_factories import make_ctx

from bosai.context import ServiceContext
from kernel.store import Store


@pytest.fixture
def web_store(sqlite_store: Store) -> Store:
    """The web tests' store (the shared SQLite store fixture)."""
    return sqlite_store


@pytest.fixture
def ctx(web_store: Store, tmp_path: Path) -> ServiceContext:
    """A service context over the tmp store, data folder under tmp_path/var."""
    (tmp_path / "var").mkdir(exist_ok=True)
    return make_ctx(web_store, tmp_path / "var")
