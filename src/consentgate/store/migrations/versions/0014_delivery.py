"""Delivery of actions: short leases with a heartbeat, outcomes that may have happened.

Revision ID: 0014_delivery
Revises: 0013_notice_idempotency
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0014_delivery"
down_revision = "0013_notice_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing to undo."""
