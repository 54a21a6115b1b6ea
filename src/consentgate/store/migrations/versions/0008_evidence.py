"""Child-safety evidence, encrypted at rest, with its retention and legal hold.

Revision ID: 0008_evidence
Revises: 0007_actions
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_evidence"
down_revision = "0007_actions"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_evidence",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("nonce", sa.LargeBinary, nullable=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=True),
        sa.Column("kept_at", TS, nullable=False),
        sa.Column("retain_until", TS, nullable=False),
        sa.Column("legal_hold", sa.Boolean, nullable=False),
        sa.Column("purged_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_evidence"),
    )
    op.create_index("ix_case_evidence_case_id", "case_evidence", ["case_id"])
    op.create_index("ix_case_evidence_retain_until", "case_evidence", ["retain_until"])


def downgrade() -> None:
    op.drop_index("ix_case_evidence_retain_until", table_name="case_evidence")
    op.drop_index("ix_case_evidence_case_id", table_name="case_evidence")
    op.drop_table("case_evidence")
