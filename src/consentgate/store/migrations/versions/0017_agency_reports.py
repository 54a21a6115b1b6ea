"""Child-safety reports to NCMEC and the NCA: the agency's reference kept on the case.

Revision ID: 0017_agency_reports
Revises: 0016_statements
Create Date: 2026-12-08
"""

from __future__ import annotations

revision = "0017_agency_reports"
down_revision = "0016_statements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
