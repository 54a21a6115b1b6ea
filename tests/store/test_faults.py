"""Which store errors are outages (503, Retry-After) and which stay what they are."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from consentgate.errors import StoreUnavailable
from consentgate.store.database import Database
from consentgate.store.faults import store_fault


def _sqlite(cls: type[sqlite3.Error], message: str, code: int | None) -> sqlite3.Error:
    err = cls(message)
    if code is not None:
        err.sqlite_errorcode = code  # type: ignore[attr-defined]
    return err


def _wrapped(orig: BaseException, cls: type[DBAPIError] = OperationalError) -> DBAPIError:
    return cls("INSERT INTO notices ...", {}, orig)  # type: ignore[arg-type]


LOCKED = "the store is locked by another writer"
FULL = "the store cannot write: its disk is full or failing"
UNREACHABLE = "the store is not reachable"
READ_ONLY = "the store is read-only"
NO_CONNECTION = "the store has no free connection"

OUTAGES = [
    # (error, message, Retry-After)
    (_wrapped(_sqlite(sqlite3.OperationalError, "database is locked", 5)), LOCKED, 1),
    (_wrapped(_sqlite(sqlite3.OperationalError, "database table is locked", 6)), LOCKED, 1),
    (_wrapped(_sqlite(sqlite3.OperationalError, "database is locked", None)), LOCKED, 1),
    (_wrapped(_sqlite(sqlite3.OperationalError, "database or disk is full", 13)), FULL, 30),
    (_wrapped(_sqlite(sqlite3.OperationalError, "disk I/O error", 778)), FULL, 30),  # IOERR_WRITE
    (_wrapped(_sqlite(sqlite3.OperationalError, "disk I/O error", None)), FULL, 30),
    (
        _wrapped(_sqlite(sqlite3.OperationalError, "attempt to write a readonly database", 8)),
        READ_ONLY,
        30,
    ),
    (
        _wrapped(_sqlite(sqlite3.OperationalError, "unable to open database file", 14)),
        UNREACHABLE,
        5,
    ),
    (_sqlite(sqlite3.OperationalError, "database is locked", 5), LOCKED, 1),  # unwrapped
    (_wrapped(psycopg.OperationalError("connection refused")), UNREACHABLE, 5),
    (_wrapped(psycopg.errors.AdminShutdown("terminating connection")), UNREACHABLE, 5),
    (_wrapped(psycopg.errors.DiskFull("could not extend file")), FULL, 30),
    (_wrapped(psycopg.errors.ReadOnlySqlTransaction("read-only"), DBAPIError), READ_ONLY, 30),
    (psycopg.OperationalError("server closed the connection"), UNREACHABLE, 5),  # unwrapped
    (
        PoolTimeout("QueuePool limit of size 5 overflow 10 reached"),
        "the store has no free connection",
        1,
    ),
    (StoreUnavailable(LOCKED, retry_after_s=1), LOCKED, 1),
]

NOT_OUTAGES = [
    _wrapped(_sqlite(sqlite3.IntegrityError, "UNIQUE constraint failed", 2067), IntegrityError),
    _wrapped(_sqlite(sqlite3.OperationalError, "no such table: notices", 1)),
    _wrapped(_sqlite(sqlite3.OperationalError, 'near "SELCT": syntax error', 1)),
    _wrapped(psycopg.errors.UniqueViolation("duplicate key"), IntegrityError),
    _wrapped(psycopg.errors.UndefinedTable("relation does not exist"), ProgrammingError),
    ValueError("not a store error at all"),
]


@pytest.mark.parametrize(("error", "message", "retry_after_s"), OUTAGES)
def test_when_the_store_cannot_serve_then_the_fault_is_a_503_naming_its_kind(
    error: BaseException, message: str, retry_after_s: int
) -> None:
    fault = store_fault(error)
    assert fault is not None
    assert (fault.http_status, fault.exit_code) == (503, 6)
    assert (fault.message, fault.retry_after_s) == (message, retry_after_s)


@pytest.mark.parametrize("error", NOT_OUTAGES)
def test_when_the_error_is_a_conflict_or_a_bug_then_it_is_no_store_fault(
    error: BaseException,
) -> None:
    assert store_fault(error) is None


def test_when_a_connection_was_invalidated_then_the_store_is_unreachable() -> None:
    error = DBAPIError("SELECT 1", {}, ConnectionResetError("reset"), connection_invalidated=True)
    fault = store_fault(error)
    assert fault is not None and fault.message == UNREACHABLE


def test_when_another_process_holds_the_sqlite_file_then_a_write_fails_within_the_busy_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    db = Database(f"sqlite:///{path}", busy_timeout_s=0.3)
    with db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError) as raised, db.write() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert time.monotonic() - started < 3
    fault = store_fault(raised.value)
    assert fault is not None and fault.message == LOCKED
    db.dispose()


def test_when_this_process_holds_the_write_lock_too_long_then_the_next_writer_gets_a_503(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'store.db'}", busy_timeout_s=0.3)
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with db.write():
            held.set()
            done.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable, match="locked"), db.write():
            pass
    finally:
        done.set()
        holder.join()
    assert time.monotonic() - started < 3
    db.dispose()


def test_when_another_database_handle_holds_the_file_lock_then_the_wait_is_bounded(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first, second = Database(url), Database(url, busy_timeout_s=0.3)
    with first.write():
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="locked"), second.write():
            pass
        assert time.monotonic() - started < 3
    with second.write() as conn:  # released: the next write goes through
        conn.exec_driver_sql("SELECT 1")
    first.dispose()
    second.dispose()
