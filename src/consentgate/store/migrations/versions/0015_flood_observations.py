"""Bank flood counts shared by every worker on PostgreSQL: one row per observation.

Revision ID: 0015_flood_observations
Revises: 0014_delivery
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_flood_observations"
down_revision = "0014_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flood_observations",
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("member", sa.Text, nullable=False),
        sa.Column("seen", sa.Float(precision=53), nullable=False),
        sa.Column("expires", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "kind", "member", name="pk_flood_observations"),
    )
    op.create_index("ix_flood_observations_expires", "flood_observations", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_flood_observations_expires", table_name="flood_observations")
    op.drop_table("flood_observations")
