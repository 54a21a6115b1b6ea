"""Screens are idempotent on the caller's request id, per API key.

Why new columns rather than a unique index on ``request_id``: decisions
recorded before this revision may already repeat an id (the retries this
revision stops), and a migration must not fail on them or delete an audit
record. ``idempotency_key`` is set only on new decisions screened for an API
key that gave an id; the unique index on ``(key_id, idempotency_key)`` ignores
rows where either is NULL (the CLI's, those without an id, and older ones) on
SQLite and PostgreSQL alike. ``request_sha256`` fingerprints the screened
request, so a retry can be told from a different request reusing the id.

Revision ID: 0004_idempotency
Revises: 0003_service
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_idempotency"
down_revision = "0003_service"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("idempotency_key", sa.String(200), nullable=True))
    op.add_column("decisions", sa.Column("request_sha256", sa.String(64), nullable=True))
    op.create_index(
        "uq_decisions_key_id_idempotency_key",
        "decisions",
        ["key_id", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_decisions_key_id_idempotency_key", table_name="decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("request_sha256")
        batch.drop_column("idempotency_key")
