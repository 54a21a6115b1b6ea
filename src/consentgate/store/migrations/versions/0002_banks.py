"""Hash banks: banks, entries, change log, screened-content hashes, retro findings.

Revision ID: 0002_banks
Revises: 0001_base
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_banks"
down_revision = "0001_base"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("threshold", sa.SmallInteger, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("flood_max_matches", sa.Integer, nullable=True),
        sa.Column("flood_window_s", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_banks"),
        sa.UniqueConstraint("name", name="uq_banks_name"),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("bank_id", sa.Integer, nullable=False),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("pdq_quality", sa.SmallInteger, nullable=True),
        sa.Column("md5", sa.String(32), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("changed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bank_entries"),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name="fk_bank_entries_bank_id_banks"),
    )
    op.create_index("ix_bank_entries_bank_status", "bank_entries", ["bank_id", "status"])
    op.create_index("ix_bank_entries_bank_pdq", "bank_entries", ["bank_id", "pdq"])
    op.create_index("ix_bank_entries_bank_md5", "bank_entries", ["bank_id", "md5"])
    op.create_table(
        "bank_changes",
        sa.Column("seq", BigId, primary_key=True, autoincrement=True),
        sa.Column("bank_id", sa.Integer, nullable=False),
        sa.Column("entry_id", sa.BigInteger, nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_bank_changes"),
    )
    op.create_table(
        "screened_content",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("pdq_quality", sa.SmallInteger, nullable=True),
        sa.Column("md5", sa.String(32), nullable=True),
        sa.Column("screened_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_screened_content"),
    )
    op.create_index("ix_screened_content_decision_id", "screened_content", ["decision_id"])
    op.create_index("ix_screened_content_md5", "screened_content", ["md5"])
    op.create_index("ix_screened_content_screened_at", "screened_content", ["screened_at"])
    op.create_table(
        "retro_findings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("screened_id", sa.BigInteger, nullable=False),
        sa.Column("bank_id", sa.Integer, nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("hash_type", sa.String(8), nullable=False),
        sa.Column("distance", sa.SmallInteger, nullable=False),
        sa.Column("found_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retro_findings"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["bank_entries.id"], name="fk_retro_findings_entry_id_bank_entries"
        ),
        sa.ForeignKeyConstraint(
            ["screened_id"],
            ["screened_content.id"],
            name="fk_retro_findings_screened_id_screened_content",
        ),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name="fk_retro_findings_bank_id_banks"),
        sa.UniqueConstraint("entry_id", "screened_id", name="uq_retro_findings_entry_screened"),
    )
    op.create_index("ix_retro_findings_decision_id", "retro_findings", ["decision_id"])
    op.create_index("ix_retro_findings_found_at", "retro_findings", ["found_at"])


def downgrade() -> None:
    for table in ("retro_findings", "screened_content", "bank_changes", "bank_entries", "banks"):
        op.drop_table(table)
