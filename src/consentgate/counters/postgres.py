"""Token buckets in the PostgreSQL store: one row per bucket, spent by one statement.

Why one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: PostgreSQL locks
the row for the statement, so two workers spending the same bucket at once
are served one after the other, each seeing the other's spend, without an
explicit lock or a retry loop. ``now()`` is the server's clock, shared by
every worker. Rows past ``full_at`` (refilled, the same as no row) are deleted
now and then, so made-up ids do not grow the table.
"""

from __future__ import annotations

import itertools

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from consentgate.counters import CountersUnavailable, wait_for

RATE, BURST, COST = (
    "CAST(:rate AS double precision)",
    "CAST(:burst AS double precision)",
    "CAST(:cost AS double precision)",
)
REFILLED = f"LEAST({BURST}, c.tokens + GREATEST(0, EXTRACT(EPOCH FROM now() - c.updated)) * {RATE})"
AFTER = f"CASE WHEN {REFILLED} >= {COST} THEN {REFILLED} - {COST} ELSE {REFILLED} END"
TAKE = text(f"""
INSERT INTO rate_counters AS c (bucket, tokens, updated, full_at, granted)
VALUES (
  :bucket,
  CASE WHEN {COST} <= {BURST} THEN {BURST} - {COST} ELSE {BURST} END,
  now(),
  now() + make_interval(secs => LEAST({COST}, {BURST}) / {RATE}),
  {COST} <= {BURST}
)
ON CONFLICT (bucket) DO UPDATE SET
  tokens = {AFTER},
  granted = {REFILLED} >= {COST},
  full_at = now() + make_interval(secs => ({BURST} - ({AFTER})) / {RATE}),
  updated = now()
RETURNING tokens, granted
""")
PEEK = text(f"SELECT {REFILLED} AS tokens FROM rate_counters AS c WHERE c.bucket = :bucket")
PRUNE = text("DELETE FROM rate_counters WHERE full_at < now()")
PRUNE_EVERY = 1000


class PostgresBuckets:
    """``Buckets`` in the ``rate_counters`` table of the store at ``engine``."""

    name = "postgresql"

    def __init__(self, engine: Engine, *, prefix: str = "") -> None:
        self.engine = engine
        self.prefix = prefix
        self._calls = itertools.count(1)

    def take(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        params = {"bucket": self.prefix + bucket, "rate": rate, "burst": burst, "cost": cost}
        try:
            with self.engine.begin() as conn:
                row = conn.execute(TAKE, params).one()
                if next(self._calls) % PRUNE_EVERY == 0:
                    conn.execute(PRUNE)
        except SQLAlchemyError as exc:
            raise _unavailable(exc) from None
        return 0.0 if row.granted else wait_for(row.tokens, rate, burst, cost)

    def peek(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        params = {"bucket": self.prefix + bucket, "rate": rate, "burst": burst}
        try:
            with self.engine.connect() as conn:
                row = conn.execute(PEEK, params).first()
        except SQLAlchemyError as exc:
            raise _unavailable(exc) from None
        tokens = float(burst) if row is None else float(row.tokens)
        return 0.0 if tokens >= cost else wait_for(tokens, rate, burst, cost)

    def close(self) -> None:
        """The engine belongs to the store; nothing of its own to close."""


def _unavailable(exc: Exception) -> CountersUnavailable:
    return CountersUnavailable(f"the store is not reachable ({type(exc).__name__})")
