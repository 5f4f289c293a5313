"""Alembic migrations run programmatically (``bosai db upgrade`` and at service start)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision``."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(engine: Engine) -> str | None:
    """Return the database's current revision."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@cache
def head_revisions() -> frozenset[str]:
    """The newest revisions of the packaged migrations (read once: they do not change while running)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def pending(conn: Connection) -> list[str]:
    """Head revisions the database behind ``conn`` is not at yet; empty when fully migrated (for /readyz)."""
    at = set(MigrationContext.configure(conn).get_current_heads())
    return sorted(head_revisions() - at)
