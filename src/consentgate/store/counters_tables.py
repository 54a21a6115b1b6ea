"""The shared token buckets of a PostgreSQL store (``consentgate.counters.postgres``).

One row per bucket (a key's rate limit, an address's notices, ...): the tokens
left at ``updated``, whether the last spend was granted, and when the bucket is
full again (after which the row means nothing and may be deleted).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Table, Text

from consentgate.store.schema import metadata

rate_counters = Table(
    "rate_counters",
    metadata,
    Column("bucket", Text, primary_key=True),
    Column("tokens", Float(precision=53), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    Column("full_at", DateTime(timezone=True), nullable=False, index=True),
    Column("granted", Boolean, nullable=False),
)
