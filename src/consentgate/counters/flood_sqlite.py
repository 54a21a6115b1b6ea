"""Flood logs in a SQLite store file: the shared home of several workers on one host.

The same rows and statements as on PostgreSQL (``flood_postgres``), with two
differences: no advisory lock is needed, because every write transaction on
a SQLite file already holds its one writer (``Database.write``), so reading
an entry's window, choosing and writing happen while no other worker can
write; and SQLite spells "all rows after the first ``keep``" ``LIMIT -1
OFFSET``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from consentgate.counters import CountersUnavailable
from consentgate.counters.flood_postgres import PRUNE, PRUNE_EVERY, PostgresFloodLog
from consentgate.errors import StoreUnavailable
from consentgate.store.database import Database

TRIM = text("""
DELETE FROM flood_observations
WHERE entry_id = :entry AND kind = :kind AND (seen <= :cutoff OR member IN (
  SELECT member FROM flood_observations WHERE entry_id = :entry AND kind = :kind
  ORDER BY seen DESC, member LIMIT -1 OFFSET :keep))
""")


class SqliteFloodLog(PostgresFloodLog):
    """``FloodLog`` in the ``flood_observations`` table of the SQLite store ``db``."""

    name = "sqlite"
    TRIM = TRIM

    def __init__(self, db: Database) -> None:
        super().__init__(db.engine)
        self.db = db

    @contextmanager
    def _locked(self, entry_id: int, now: float) -> Iterator[Connection]:
        """A write transaction (the store's one writer); store faults are CountersUnavailable."""
        try:
            with self.db.write() as conn:
                if now and next(self._calls) % PRUNE_EVERY == 0:
                    conn.execute(PRUNE, {"now": now})
                yield conn
        except (SQLAlchemyError, StoreUnavailable) as exc:
            raise CountersUnavailable(
                f"the store cannot keep the flood counts ({type(exc).__name__})"
            ) from None
