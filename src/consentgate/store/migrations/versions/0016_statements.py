"""Statements of reasons, one per restriction (DSA Art. 17).

Revision ID: 0016_statements
Revises: 0015_flood_observations
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_statements"
down_revision = "0015_flood_observations"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "statements",
        sa.Column("seq", BigId, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("application_date", sa.Date, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("harm", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("decision_id", sa.String(32), nullable=True),
        sa.Column("statement", sa.JSON, nullable=False),
        sa.Column("redress", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_statements"),
        sa.UniqueConstraint("id", name="uq_statements_id"),
        sa.UniqueConstraint("decision_id", name="uq_statements_decision_id"),
    )
    op.create_index("ix_statements_case_id", "statements", ["case_id"])
    op.create_index("ix_statements_application_date_seq", "statements", ["application_date", "seq"])


def downgrade() -> None:
    op.drop_index("ix_statements_application_date_seq", table_name="statements")
    op.drop_index("ix_statements_case_id", table_name="statements")
    op.drop_table("statements")
