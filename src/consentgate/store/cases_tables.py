"""Tables of casework: notices, cases (a projection cache), and the audit chain.

``audit_events`` is the truth: an append-only hash chain of every case event and
bank change (``consentgate.audit.chain``). ``cases`` caches each case's current
projection so queues can be listed and sorted in SQL; it is rewritten in the
same transaction as the event that changes it, and can be rebuilt from the
events. ``audit_head`` is one row naming the chain's last link: appends lock it,
so concurrent writers on PostgreSQL extend the chain one at a time, and a deleted
tail is detected. On PostgreSQL, triggers (migration 0012) refuse UPDATE and
DELETE of ``audit_events`` and let ``audit_head`` move only to the next event.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
)

from consentgate.store.schema import metadata

TS = DateTime(timezone=True)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("case_id", String(32), nullable=True, index=True),
    Column("reason", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("queue", String(20), nullable=False),
    Column("priority", SmallInteger, nullable=False),
    Column("state", String(20), nullable=False),
    Column("notice_id", String(32), nullable=True, index=True),
    Column("received_at", TS, nullable=False),
    Column("deadline_at", TS, nullable=False),
    Column("version", Integer, nullable=False),
    Column("record", JSON, nullable=False, doc="the projection, as a Case record"),
    Index("ix_cases_state_priority_deadline", "state", "priority", "deadline_at"),
)

notices = Table(
    "notices",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tracking_code", String(40), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("received_at", TS, nullable=False),
    Column("data", JSON, nullable=False, doc="the notice's fields (never an image)"),
)

case_evidence = Table(
    "case_evidence",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("media_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False, doc="of the plaintext, to prove what was kept"),
    Column("nonce", LargeBinary, nullable=True),
    Column("ciphertext", LargeBinary, nullable=True, doc="AES-256-GCM; NULL once purged"),
    Column("kept_at", TS, nullable=False),
    Column("retain_until", TS, nullable=False, index=True),
    Column("legal_hold", Boolean, nullable=False),
    Column("purged_at", TS, nullable=True),
    Column("key_id", String(16), nullable=True, doc="the sealing key's id (NULL: before 0012)"),
)
