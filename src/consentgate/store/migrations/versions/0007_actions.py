"""Actions: the outbox of removal and restoration webhooks.

Revision ID: 0007_actions
Revises: 0006_cases
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_actions"
down_revision = "0006_cases"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_actions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.Column("after_id", BigId, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_actions"),
        sa.UniqueConstraint("idempotency_key", name="uq_case_actions_idempotency_key"),
    )
    op.create_index("ix_case_actions_case_id", "case_actions", ["case_id"])
    op.create_index(
        "ix_case_actions_status_next_attempt_at", "case_actions", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_case_actions_status_next_attempt_at", table_name="case_actions")
    op.drop_index("ix_case_actions_case_id", table_name="case_actions")
    op.drop_table("case_actions")
