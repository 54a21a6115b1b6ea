"""Tables for hash banks, their entries, the change log the matchers tail, the hashes
of screened content, and retro-match findings.

Images are never stored: only their hashes. ``bank_changes`` is an append-only log
of entry and bank changes; every matcher process polls it by ``seq`` to stay
current without rebuilding its index (HMA rebuilds and redistributes the whole
index on every change, which is its documented bottleneck).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from consentgate.store.schema import metadata

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

banks = Table(
    "banks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("threshold", SmallInteger, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("description", Text, nullable=False),
    Column("flood_max_matches", Integer, nullable=True),
    Column("flood_window_s", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

bank_entries = Table(
    "bank_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("bank_id", Integer, ForeignKey("banks.id"), nullable=False),
    Column("pdq", String(64), nullable=True),
    Column("pdq_quality", SmallInteger, nullable=True),
    Column("md5", String(32), nullable=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(200), nullable=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_bank_entries_bank_status", "bank_id", "status"),
    Index("ix_bank_entries_bank_pdq", "bank_id", "pdq"),
    Index("ix_bank_entries_bank_md5", "bank_id", "md5"),
)

bank_changes = Table(
    "bank_changes",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("bank_id", Integer, nullable=False),
    Column("entry_id", BigInteger, nullable=True),  # NULL: the bank itself changed
    Column("at", DateTime(timezone=True), nullable=False),
)

screened_content = Table(
    "screened_content",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("target", String(20), nullable=False),
    Column("pdq", String(64), nullable=True),
    Column("pdq_quality", SmallInteger, nullable=True),
    Column("md5", String(32), nullable=True, index=True),
    Column("screened_at", DateTime(timezone=True), nullable=False, index=True),
)

retro_findings = Table(
    "retro_findings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entry_id", BigInteger, ForeignKey("bank_entries.id"), nullable=False),
    Column("screened_id", BigInteger, ForeignKey("screened_content.id"), nullable=False),
    Column("bank_id", Integer, ForeignKey("banks.id"), nullable=False),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("hash_type", String(8), nullable=False),
    Column("distance", SmallInteger, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("entry_id", "screened_id", name="uq_retro_findings_entry_screened"),
)

bank_alerts = Table(
    "bank_alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entry_id", BigInteger, ForeignKey("bank_entries.id"), nullable=False),
    Column("bank_id", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # "flood"
    Column("reason", Text, nullable=False),
    Column("matches", Integer, nullable=False),
    Column("window_s", Integer, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False, index=True),
)
