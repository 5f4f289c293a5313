"""Alert lifecycle: each alert's family and when it ended; each telegram's EventID and validity.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("family", sa.String(length=96), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_alerts_family_ended", ["family", "ended_at"])
    with op.batch_alter_table("official_reports") as batch:
        batch.add_column(sa.Column("event_id", sa.String(length=128), nullable=False, server_default=""))
        batch.add_column(sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("official_reports") as batch:
        batch.drop_column("valid_until")
        batch.drop_column("event_id")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_family_ended")
        batch.drop_column("ended_at")
        batch.drop_column("family")
