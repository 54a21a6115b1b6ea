"""Idempotency keys for notices and appeals: a retry gets the first receipt.

Revision ID: 0013_notice_idempotency
Revises: 0012_audit_guard
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0013_notice_idempotency"
down_revision = "0012_audit_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing to undo."""
