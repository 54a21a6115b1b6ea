"""Console logins: password hashes, server-side sessions and lock-out counts.

Revision ID: 0018_console_logins
Revises: 0017_agency_reports
Create Date: 2026-12-08
"""

from __future__ import annotations

revision = "0018_console_logins"
down_revision = "0017_agency_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
