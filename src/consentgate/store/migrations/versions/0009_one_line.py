"""Joins the service line and the banks-and-cases line into one head.

Revision ID: 0009_one_line
Revises: 0004_idempotency, 0008_evidence
Create Date: 2026-11-28
"""

from __future__ import annotations

revision = "0009_one_line"
down_revision = ("0004_idempotency", "0008_evidence")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only makes later migrations follow one line."""


def downgrade() -> None:
    """Nothing to undo."""
