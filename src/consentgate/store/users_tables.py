"""The people who act on cases: one row per user, never deleted.

Why these columns: ``name`` is kept as given (it is what the audit chain
shows); ``name_key`` is its normalised form (``consentgate.people.name_key``)
and is unique, so two users can never differ only in case, width or spacing.
A user is disabled, not deleted, so a name in the chain keeps naming one person.

Console log-in (migration 0018): ``password_hash`` is an argon2id PHC string, null
for a user who has none (a key-only user cannot log in); ``failed_logins`` counts
wrong passwords since the last good one, and ``locked_at`` is when they reached
the lock-out limit. ``console_sessions`` holds only the SHA-256 of each session
id, so a copy of the store lets nobody take over a session.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table

from consentgate.store.schema import metadata

NAME_MAX = 100
KEY_MAX = 200  # NFKC may lengthen a name; longer keys are refused

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(NAME_MAX), nullable=False, doc="as given"),
    Column("name_key", String(KEY_MAX), nullable=False, unique=True, doc="NFKC + case-folded"),
    Column("role", String(20), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("disabled", DateTime(timezone=True), nullable=True),
    Column("password_hash", String(200), nullable=True, doc="argon2id, for console log-in"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_at", DateTime(timezone=True), nullable=True),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True, doc="SHA-256 of the session id (hex)"),
    Column("user_id", String(32), ForeignKey("users.id"), nullable=False, index=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False, index=True),
)
