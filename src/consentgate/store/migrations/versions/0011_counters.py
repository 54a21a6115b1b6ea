"""Shared counters for rate limits and flood caps when PostgreSQL is the store;
the cases' priority gains a rank within each queue.

Revision ID: 0011_counters
Revises: 0010_users
Create Date: 2026-12-07

``cases.priority`` was the queue's index (0, 1, 2; -1 for an expedited
complaint). It is now ``queue index * 3 + rank`` (rank 0 urgent, 1 usual, 2
anonymous and unlocated), so existing cases take the usual rank: ``p * 3 + 1``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_counters"
down_revision = "0010_users"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("bucket", sa.Text, primary_key=True),
        sa.Column("tokens", sa.Float(precision=53), nullable=False),
        sa.Column("updated", TS, nullable=False),
        sa.Column("full_at", TS, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("bucket", name="pk_rate_counters"),
    )
    op.create_index("ix_rate_counters_full_at", "rate_counters", ["full_at"])
    op.execute("UPDATE cases SET priority = priority * 3 + 1 WHERE priority >= 0")


def downgrade() -> None:
    op.execute("UPDATE cases SET priority = priority / 3 WHERE priority >= 0")
    op.drop_index("ix_rate_counters_full_at", table_name="rate_counters")
    op.drop_table("rate_counters")
