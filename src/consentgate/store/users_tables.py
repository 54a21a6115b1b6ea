"""The people who act on cases: one row per user, never deleted.

Why these columns: ``name`` is kept as given (it is what the audit chain
shows); ``name_key`` is its normalised form (``consentgate.people.name_key``)
and is unique, so two users can never differ only in case, width or spacing.
A user is disabled, not deleted, so a name in the chain keeps naming one person.
``password_hash`` stays null until console log-in exists.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table

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
    Column("password_hash", String(200), nullable=True, doc="for console log-in; unused yet"),
)
