"""Migration 0007: subscriptions made before double opt-in keep their alerts and get a key for their links."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from kernel.store.migrate import alembic_config, current, upgrade


def test_existing_subscriptions_stay_confirmed_and_get_a_key(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/m.db")
    try:
        upgrade(engine, "0006")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO subscriptions (channel, target, language, areas, created_at, active) "
                              "VALUES ('email', 'a@example.jp', 'en', '[]', '2026-11-01 00:00:00.000000', 1), "
                              "('webhook', 'https://example.org/h', 'ja', '[]', '2026-11-02 00:00:00.000000', 1)"))
        upgrade(engine, "0007")
        assert current(engine) == "0007"
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT created_at, confirmed_at, secret FROM subscriptions ORDER BY id")).all()
        assert [r.confirmed_at for r in rows] == [r.created_at for r in rows]  # they keep receiving alerts
        assert all(len(r.secret) == 64 for r in rows) and rows[0].secret != rows[1].secret
        cfg = alembic_config(str(engine.url))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        assert current(engine) == "0006"
    finally:
        engine.dispose()
