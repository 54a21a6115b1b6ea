"""Which store errors mean "the store cannot serve now": one table, read at every edge.

Why one table: a PostgreSQL that refuses connections, a full disk under
SQLite and a SQLite file locked by another process are not bugs in the
request; each deserves a 503 with ``Retry-After`` (HTTP) or its own exit code
(CLI), and recovery needs no restart. Every other database error (a broken
constraint, a missing table, bad SQL) stays what it is: a 409 where a service
maps it, else a 500 with the traceback in the server log.

``store_fault`` reads SQLAlchemy's wrapper, the driver's error under it
(``sqlite3`` by its result code, ``psycopg`` by its class and SQLSTATE) and
SQLAlchemy's own pool timeout. The message names the kind of fault only,
never the driver's text, which may carry paths or SQL.
"""

from __future__ import annotations

import sqlite3
from typing import Final

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from consentgate.errors import StoreUnavailable

UNREACHABLE: Final = ("the store is not reachable", 5)
LOCKED: Final = ("the store is locked by another writer", 1)
FULL: Final = ("the store cannot write: its disk is full or failing", 30)
READ_ONLY: Final = ("the store is read-only", 30)
NO_CONNECTION: Final = ("the store has no free connection", 1)

# SQLite primary result codes (the low byte of the extended code).
SQLITE_CODES: Final[dict[int, tuple[str, int]]] = {
    5: LOCKED,  # SQLITE_BUSY
    6: LOCKED,  # SQLITE_LOCKED
    8: READ_ONLY,  # SQLITE_READONLY
    10: FULL,  # SQLITE_IOERR (a write past the disk's or the file-size limit)
    13: FULL,  # SQLITE_FULL
    14: UNREACHABLE,  # SQLITE_CANTOPEN
    15: LOCKED,  # SQLITE_PROTOCOL (a lock race in WAL)
}
# The same faults by message, for errors raised without a result code.
SQLITE_MESSAGES: Final[tuple[tuple[str, tuple[str, int]], ...]] = (
    ("database is locked", LOCKED),
    ("database table is locked", LOCKED),
    ("database or disk is full", FULL),
    ("disk i/o error", FULL),
    ("readonly database", READ_ONLY),
    ("unable to open database file", UNREACHABLE),
)
# PostgreSQL SQLSTATEs of errors that are not OperationalError but are outages.
PG_STATES: Final[dict[str, tuple[str, int]]] = {
    "25006": READ_ONLY,  # read_only_sql_transaction: a standby after a fail-over
}


def _sqlite(err: sqlite3.Error) -> tuple[str, int] | None:
    code = getattr(err, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in SQLITE_CODES:
        return SQLITE_CODES[code & 0xFF]
    text = str(err).lower()
    return next((kind for needle, kind in SQLITE_MESSAGES if needle in text), None)


def _postgres(err: psycopg.Error) -> tuple[str, int] | None:
    state = err.sqlstate or ""
    if state.startswith("53"):  # insufficient resources: disk full, out of memory
        return FULL
    if state in PG_STATES:
        return PG_STATES[state]
    if isinstance(err, psycopg.OperationalError):
        return UNREACHABLE  # refused, terminated, shut down, lock or statement timeout
    return None


def _kind(exc: BaseException) -> tuple[str, int] | None:
    if isinstance(exc, PoolTimeout):
        return NO_CONNECTION
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return UNREACHABLE
        return _kind(exc.orig) if exc.orig is not None else None
    if isinstance(exc, sqlite3.Error):
        return _sqlite(exc)
    if isinstance(exc, psycopg.Error):
        return _postgres(exc)
    return None


def store_fault(exc: BaseException) -> StoreUnavailable | None:
    """The 503 that ``exc`` means, or None when it is no store outage (a bug, a conflict)."""
    if isinstance(exc, StoreUnavailable):
        return exc
    kind = _kind(exc)
    if kind is None:
        return None
    message, retry_after_s = kind
    return StoreUnavailable(message, retry_after_s=retry_after_s)


def cause_of(exc: BaseException) -> str:
    """The driver's error class and first line, for the server log only."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}"
