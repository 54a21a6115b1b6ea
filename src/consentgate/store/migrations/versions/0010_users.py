"""People with roles; API keys that act for one of them.

Revision ID: 0010_users
Revises: 0009_one_line
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0010_users"
down_revision = "0009_one_line"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing to undo."""
