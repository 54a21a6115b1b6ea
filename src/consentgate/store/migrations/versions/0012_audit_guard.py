"""The audit chain guarded: key ids on sealed evidence, no UPDATE or DELETE of events.

Revision ID: 0012_audit_guard
Revises: 0011_counters
Create Date: 2026-12-07

Why triggers: the chain detects edits, but only a checkpoint held outside the
store detects an edit whose hashes were all recomputed. On PostgreSQL the
database itself refuses to change history: ``audit_events`` (every case event
and bank change) takes INSERTs only, and ``audit_head`` only moves forward by
one event that exists. A superuser can still disable triggers; see
docs/security.md. Checkpoints are kept by a witness, not in the store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_audit_guard"
down_revision = "0011_counters"
branch_labels = None
depends_on = None

GUARD_EVENTS = """
CREATE OR REPLACE FUNCTION consentgate_audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION consentgate_audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION consentgate_audit_events_append_only();
"""

GUARD_HEAD = """
CREATE OR REPLACE FUNCTION consentgate_audit_head_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
       OR NOT EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.hash
                      AND prev_hash = OLD.hash) THEN
        RAISE EXCEPTION 'audit_head only moves to the event appended after it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION consentgate_audit_head_forward_only();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
DROP FUNCTION IF EXISTS consentgate_audit_head_forward_only();
DROP FUNCTION IF EXISTS consentgate_audit_events_append_only();
"""


def _is_postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    op.add_column("case_evidence", sa.Column("key_id", sa.String(16), nullable=True))
    if _is_postgresql():
        op.execute(GUARD_EVENTS)
        op.execute(GUARD_HEAD)


def downgrade() -> None:
    if _is_postgresql():
        op.execute(UNGUARD)
    with op.batch_alter_table("case_evidence") as batch:
        batch.drop_column("key_id")
