"""Shared counters for rate limits and flood caps when PostgreSQL is the store.

Revision ID: 0011_counters
Revises: 0010_users
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0011_counters"
down_revision = "0010_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing to undo."""
