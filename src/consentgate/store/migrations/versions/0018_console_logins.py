"""Console logins: password hashes, server-side sessions and lock-out counts.

Revision ID: 0018_console_logins
Revises: 0017_agency_reports
Create Date: 2026-12-08

``users.password_hash`` exists since 0010 (null until now). A session row keeps
only the SHA-256 of the session id that the browser holds; its absolute expiry
is indexed so expired rows can be swept. ``failed_logins`` and ``locked_at``
carry the lock-out (docs/console.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_console_logins"
down_revision = "0017_agency_reports"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_at", TS, nullable=True))
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("expires", TS, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_console_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_console_sessions_user_id_users"
        ),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_index("ix_console_sessions_expires", "console_sessions", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_console_sessions_expires", table_name="console_sessions")
    op.drop_index("ix_console_sessions_user_id", table_name="console_sessions")
    op.drop_table("console_sessions")
    # Not in batch mode: recreating ``users`` on SQLite would break the keys' foreign key.
    op.drop_column("users", "locked_at")
    op.drop_column("users", "failed_logins")
