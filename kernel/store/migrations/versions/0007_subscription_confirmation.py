"""Double opt-in for subscriptions: a per-subscription key for signed webhooks and links, and when it was confirmed.

Subscriptions made before this revision were taken without proof of ownership; they keep receiving alerts
(confirmed at their creation), so an upgrade never silences a resident, and get a key for their links.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    subs = sa.table("subscriptions", sa.column("id", sa.Integer()), sa.column("created_at", sa.DateTime()),
                    sa.column("secret", sa.String()), sa.column("confirmed_at", sa.DateTime()))
    conn = op.get_bind()
    for (sub_id,) in conn.execute(sa.select(subs.c.id)).all():
        conn.execute(subs.update().where(subs.c.id == sub_id).values(
            secret=secrets.token_hex(32), confirmed_at=subs.c.created_at))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("secret")
