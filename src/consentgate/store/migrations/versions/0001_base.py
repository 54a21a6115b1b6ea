"""Base revision: the schema's root; each area's tables come in later revisions.

Revision ID: 0001_base
Revises:
Create Date: 2026-11-25
"""

revision = "0001_base"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
