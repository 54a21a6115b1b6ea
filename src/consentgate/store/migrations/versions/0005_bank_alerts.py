"""Bank alerts: floods on entries that must keep matching, kept for a reviewer.

Revision ID: 0005_bank_alerts
Revises: 0002_banks
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_bank_alerts"
down_revision = "0002_banks"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bank_alerts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("bank_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("matches", sa.Integer, nullable=False),
        sa.Column("window_s", sa.Integer, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bank_alerts"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["bank_entries.id"], name="fk_bank_alerts_entry_id_bank_entries"
        ),
    )
    op.create_index("ix_bank_alerts_raised_at", "bank_alerts", ["raised_at"])


def downgrade() -> None:
    op.drop_index("ix_bank_alerts_raised_at", table_name="bank_alerts")
    op.drop_table("bank_alerts")
