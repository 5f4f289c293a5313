"""SimHash bands on posts for indexed near-duplicate lookup.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BANDS = ("simhash_b0", "simhash_b1", "simhash_b2", "simhash_b3")


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        for band in BANDS:
            batch.add_column(sa.Column(band, sa.Integer(), nullable=True))
            batch.create_index(f"ix_posts_{band}", [band])


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        for band in BANDS:
            batch.drop_index(f"ix_posts_{band}")
            batch.drop_column(band)
