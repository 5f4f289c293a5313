"""Persistence: SQLAlchemy 2.0 models, Alembic migrations and the single-writer store."""

from kernel.store.db import Store

__all__ = ["Store"]
