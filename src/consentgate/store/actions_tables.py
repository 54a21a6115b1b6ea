"""The action outbox: removals and restorations waiting for (or past) delivery.

Why a table and not a retry loop in memory: an action is inserted in the same
transaction as the decision that causes it, and stays here until the platform
has acknowledged it, so a crash at any point loses no action. Workers claim due
rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer) and hold
a lease while they deliver; a lease that runs out (the worker died) makes the row
due again. ``claim`` names the holder, so a worker whose lease ran out cannot
overwrite the outcome of the worker that took the row over. ``outcome_unknown``
remembers that an attempt may have been carried out (cases/outbox.py says when).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from consentgate.store.banks_tables import BigId
from consentgate.store.schema import metadata

TS = DateTime(timezone=True)

case_actions = Table(
    "case_actions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("kind", String(20), nullable=False, doc="remove | restore"),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("payload", JSON, nullable=False, doc="the JSON body the platform receives"),
    Column("status", String(20), nullable=False, doc="pending | sending | sent | dead | cancelled"),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TS, nullable=False),
    Column("lease_until", TS, nullable=True),
    Column("claim", String(32), nullable=True, doc="who holds the lease"),
    Column("after_id", BigId, nullable=True, doc="an action that must be delivered first"),
    Column("last_error", Text, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS, nullable=True),
    Column(
        "outcome_unknown",
        Boolean,
        nullable=False,
        server_default=false(),
        doc="an attempt may have reached the platform without a definite answer",
    ),
    Index("ix_case_actions_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_case_actions_case_id_id", "case_id", "id"),
)
