"""Statements of reasons, one per restriction (DSA Art. 17).

Revision ID: 0016_statements
Revises: 0015_flood_observations
Create Date: 2026-12-08
"""

from __future__ import annotations

revision = "0016_statements"
down_revision = "0015_flood_observations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
