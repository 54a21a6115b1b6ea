"""A store that cannot serve is a one-line error and exit status 6 on the CLI, not a
traceback (nor, for a locked SQLite file, a half-minute wait first)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.cli.test_main import consentgate

STORE_EXIT = 6


def test_when_another_process_locks_the_sqlite_file_then_exit_6_in_one_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    env = {"CONSENTGATE_DATABASE_URL": f"sqlite:///{path}"}
    assert consentgate("keys", "create", "--scope", "screen", env=env).returncode == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        result = consentgate("keys", "create", "--scope", "screen", env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert time.monotonic() - started < 20  # start-up plus the 2 s busy timeout, not 30 s
    assert result.returncode == STORE_EXIT, result.stderr
    assert result.stderr == "error: the store is locked by another writer\n"


def test_when_postgresql_refuses_connections_then_exit_6_in_one_line() -> None:
    env = {"CONSENTGATE_DATABASE_URL": "postgresql+psycopg://root@127.0.0.1:1/consentgate"}
    result = consentgate("keys", "list", env=env)
    assert result.returncode == STORE_EXIT, result.stderr
    assert result.stderr == "error: the store is not reachable\n"
