"""Token buckets in a SQLite store file: the shared home of several workers on one host.

Why the store file: ``consentgate serve`` starts one worker per core, and on
SQLite without Redis those workers would otherwise each keep their own
buckets (each admitting the whole limit). They already share the store file
and queue every write through its one writer (``Database.write``: a lock in
the process, an OS file lock between processes, ``BEGIN IMMEDIATE``), so a
spend is a read and an upsert of one ``rate_counters`` row inside that one
write transaction: two workers spending the same bucket are served one after
the other, each seeing the other's spend. The clock is the host's wall
clock, which every worker on the host shares. Rows that have refilled (the
same as no row) are deleted now and then, as on PostgreSQL.

A keyed request with a rate limit costs one small write; a key without one
(``keys create --rate-limit 0``) costs nothing here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import SQLAlchemyError

from consentgate.counters import CountersUnavailable, wait_for
from consentgate.errors import StoreUnavailable
from consentgate.store.counters_tables import rate_counters as table
from consentgate.store.database import Database

PRUNE_EVERY = 1000


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _seconds(value: datetime) -> float:
    """SQLite hands datetimes back without their zone; they were written in UTC."""
    return value.replace(tzinfo=UTC).timestamp()


class SqliteBuckets:
    """``Buckets`` in the ``rate_counters`` table of the SQLite store ``db``."""

    name = "sqlite"

    def __init__(
        self, db: Database, *, prefix: str = "", clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.prefix = prefix
        self._clock = clock
        self._calls = itertools.count(1)

    def take(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        key = self.prefix + bucket
        try:
            with self.db.write() as conn:
                now = self._clock()
                tokens = self._tokens(conn, key, rate, burst, now)
                granted = cost <= burst and tokens >= cost
                left = tokens - cost if granted else tokens
                full_in = (burst - left) / rate
                values = {
                    "tokens": left,
                    "updated": _at(now),
                    "full_at": _at(now + full_in),
                    "granted": granted,
                }
                conn.execute(
                    insert(table)
                    .values(bucket=key, **values)
                    .on_conflict_do_update(index_elements=[table.c.bucket], set_=values)
                )
                if next(self._calls) % PRUNE_EVERY == 0:
                    conn.execute(delete(table).where(table.c.full_at < _at(now)))
        except (SQLAlchemyError, StoreUnavailable) as exc:
            raise _unavailable(exc) from None
        return 0.0 if granted else wait_for(tokens, rate, burst, cost)

    def peek(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        try:
            with self.db.read() as conn:
                tokens = self._tokens(conn, self.prefix + bucket, rate, burst, self._clock())
        except SQLAlchemyError as exc:
            raise _unavailable(exc) from None
        return 0.0 if tokens >= cost else wait_for(tokens, rate, burst, cost)

    def close(self) -> None:
        """The database belongs to the store; nothing of its own to close."""

    @staticmethod
    def _tokens(conn: Connection, key: str, rate: float, burst: int, now: float) -> float:
        row = conn.execute(
            select(table.c.tokens, table.c.updated).where(table.c.bucket == key)
        ).first()
        if row is None:
            return float(burst)
        elapsed = max(0.0, now - _seconds(row.updated))
        return min(float(burst), float(row.tokens) + elapsed * rate)


def _unavailable(exc: Exception) -> CountersUnavailable:
    return CountersUnavailable(f"the store cannot keep the counters ({type(exc).__name__})")
