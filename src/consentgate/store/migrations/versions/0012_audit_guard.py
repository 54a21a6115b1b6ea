"""The audit chain guarded: signed checkpoints, key ids on sealed evidence, no UPDATE or DELETE of events on PostgreSQL.

Revision ID: 0012_audit_guard
Revises: 0011_counters
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0012_audit_guard"
down_revision = "0011_counters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing to undo."""
