"""A database handle with SQLite discipline and the same API on PostgreSQL.

SQLite: WAL journal, foreign keys on, a busy timeout, and every write through
one writer (a process-wide lock plus ``BEGIN IMMEDIATE``), so concurrent
writers queue instead of failing with "database is locked". Reads run
concurrently. PostgreSQL: a connection pool; each write is one transaction.

Every wait for the SQLite write lock is bounded by ``busy_timeout_s`` (the
lock in this process, the file lock between processes, SQLite's own busy
handler): a file held by another process answers ``StoreUnavailable`` (503)
within that time instead of hanging a request for half a minute.

Commit listeners: code inside a write notes what it changed (``note_for_commit``)
and the database tells its listeners once the transaction has committed, never
on a rollback. The hash banks use it to tell other workers of a change.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from consentgate.errors import ConfigError, StoreUnavailable

log = logging.getLogger(__name__)

LOCKED = "the store is locked by another writer"
_NOTES = "consentgate_commit_notes"

CommitListener = Callable[[Mapping[str, int]], None]
"""Called after a write commits, with what it noted (topic -> largest value)."""


def note_for_commit(conn: Connection, topic: str, value: int) -> None:
    """Tell the commit listeners ``topic`` reached ``value`` once this write commits.

    The largest value per topic is kept. A connection that is not a
    ``Database.write`` transaction has no listeners; the note is then dropped.
    """
    notes = conn.info.get(_NOTES)
    if notes is not None:
        notes[topic] = max(value, notes.get(topic, value))


def _flock_by(handle: IO[bytes], deadline: float) -> bool:
    """Take the file lock, polling every few milliseconds, until ``deadline``."""
    pause = 0.001
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.008)


@contextmanager
def _file_lock(handle: IO[bytes] | None, deadline: float) -> Iterator[None]:
    if handle is None:
        yield
        return
    if not _flock_by(handle, deadline):
        raise StoreUnavailable(LOCKED, retry_after_s=1)
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _thread_lock(lock: threading.Lock, deadline: float) -> Iterator[None]:
    if not lock.acquire(timeout=max(deadline - time.monotonic(), 0)):
        raise StoreUnavailable(LOCKED, retry_after_s=1)
    try:
        yield
    finally:
        lock.release()


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class Database:
    """The store's connection to one database URL."""

    def __init__(self, url: str, *, echo: bool = False, busy_timeout_s: float = 2.0) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError(f"not a database URL: {url!r}") from None
        self.url = url
        self.busy_timeout_s = busy_timeout_s
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigError("the database URL must be sqlite:/// or postgresql+psycopg://")
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_s}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(parsed, **kwargs)
        self._write_lock = threading.Lock()
        self._commit_listeners: list[CommitListener] = []
        # Writers in other processes (several workers on one SQLite file) queue on
        # an OS file lock, polled every few milliseconds up to the busy timeout;
        # SQLite's own busy handler would poll with sleeps of up to 100 ms.
        self._lock_file = open(f"{path}.lock", "a+b") if path is not None else None  # noqa: SIM115
        if self.is_sqlite:
            self._configure_sqlite()

    def _configure_sqlite(self) -> None:
        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={round(self.busy_timeout_s * 1000)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = "IMMEDIATE" if conn.info.get("write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (its own transaction, rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener`` after each write that noted something commits (see the module)."""
        self._commit_listeners.append(listener)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        notes: dict[str, int] = {}
        if self.is_sqlite:
            deadline = time.monotonic() + self.busy_timeout_s
            with (
                _thread_lock(self._write_lock, deadline),
                _file_lock(self._lock_file, deadline),
                self.engine.connect() as conn,
            ):
                conn.info["write"] = True
                conn.info[_NOTES] = notes
                try:
                    with conn.begin():
                        yield conn
                finally:
                    conn.info.pop("write", None)
                    conn.info.pop(_NOTES, None)
        else:
            with self.engine.begin() as conn:
                conn.info[_NOTES] = notes
                try:
                    yield conn
                finally:
                    conn.info.pop(_NOTES, None)
        if notes:
            self._committed(notes)

    def _committed(self, notes: Mapping[str, int]) -> None:
        """Tell every listener; one that fails is logged, never the writer's problem."""
        for listener in self._commit_listeners:
            try:
                listener(notes)
            except Exception:
                log.exception("a commit listener failed")

    def dispose(self) -> None:
        self.engine.dispose()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
