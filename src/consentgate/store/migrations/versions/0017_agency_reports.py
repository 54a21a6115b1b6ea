"""Child-safety reports to NCMEC and the NCA: the agency's reference kept on the case.

Revision ID: 0017_agency_reports
Revises: 0016_statements
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_agency_reports"
down_revision = "0016_statements"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agency_reports",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("agency", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("priority", sa.SmallInteger, nullable=True),
        sa.Column("reported_at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("retain_until", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agency_reports"),
        sa.UniqueConstraint("agency", "reference", name="uq_agency_reports_agency_reference"),
    )
    op.create_index("ix_agency_reports_case_id", "agency_reports", ["case_id"])
    op.create_index("ix_agency_reports_reported_at", "agency_reports", ["reported_at"])


def downgrade() -> None:
    op.drop_index("ix_agency_reports_reported_at", table_name="agency_reports")
    op.drop_index("ix_agency_reports_case_id", table_name="agency_reports")
    op.drop_table("agency_reports")
