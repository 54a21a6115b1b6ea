"""HTTP service tables: hashed API keys and recorded decisions.

Revision ID: 0003_service
Revises: 0001_base
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_service"
down_revision = "0001_base"
branch_labels = ("service",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("rate_limit_per_s", sa.Float, nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("request_id", sa.String(200), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("escalate", sa.Boolean, nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("policy_version", sa.String(100), nullable=False),
        sa.Column("image_hashes", sa.JSON, nullable=False),
        sa.Column("prompt", sa.Text, nullable=True),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_index("ix_decisions_created", "decisions", ["created"])
    op.create_index("ix_decisions_key_id_created", "decisions", ["key_id", "created"])
    op.create_index("ix_decisions_verdict_created", "decisions", ["verdict", "created"])


def downgrade() -> None:
    op.drop_table("decisions")
    op.drop_table("api_keys")
