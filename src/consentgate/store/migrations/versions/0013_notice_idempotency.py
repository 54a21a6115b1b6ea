"""Idempotency keys for notices and appeals: a retry gets the first receipt.

Why a table of its own: a notice has no caller id to make unique (anyone may
send one, from any address), so the key the caller chose is kept, hashed with
its route, beside a reference to the notice or case it produced. The primary
key on ``(scope, key_hash)`` settles two identical requests sent at once: one
insert wins, the other waits for it and then reads the winner's answer.

Revision ID: 0013_notice_idempotency
Revises: 0012_audit_guard
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_notice_idempotency"
down_revision = "0012_audit_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_replays",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("result_id", sa.String(32), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key_hash", name="pk_request_replays"),
    )
    op.create_index("ix_request_replays_expires", "request_replays", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_request_replays_expires", table_name="request_replays")
    op.drop_table("request_replays")
