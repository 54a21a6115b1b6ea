"""Delivery of actions: short leases with a heartbeat, outcomes that may have happened.

``outcome_unknown`` marks an action one of whose attempts may have reached the
platform without a definite answer (a cut-off delivery, a 5xx, a worker that
died in flight): a reversal then queues a restore behind it instead of
cancelling it. The index serves the per-case ordering check of every claim.

Revision ID: 0014_delivery
Revises: 0013_notice_idempotency
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_delivery"
down_revision = "0013_notice_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "case_actions",
        sa.Column("outcome_unknown", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    # An action claimed under the old, long lease may have been sent: say so.
    op.execute("UPDATE case_actions SET outcome_unknown = true WHERE status = 'sending'")
    op.create_index("ix_case_actions_case_id_id", "case_actions", ["case_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_case_actions_case_id_id", table_name="case_actions")
    with op.batch_alter_table("case_actions") as batch:
        batch.drop_column("outcome_unknown")
