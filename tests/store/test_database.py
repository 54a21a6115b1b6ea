from __future__ import annotations

import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select

from consentgate.errors import ConfigError
from consentgate.store.database import Database
from consentgate.store.migrate import current_heads, is_up_to_date, script_heads, upgrade


def scratch_table(db: Database) -> Table:
    """A one-column table created outside the migrations, for write-discipline tests."""
    md = MetaData()
    table = Table("scratch", md, Column("n", Integer))
    with db.write() as conn:
        md.create_all(conn)
    return table


def test_when_upgraded_twice_then_schema_is_at_head_and_idempotent(database_url: str) -> None:
    db = Database(database_url)
    upgrade(db)
    upgrade(db)
    assert current_heads(db) == script_heads(db)
    assert is_up_to_date(db)
    db.dispose()


def test_when_a_write_raises_then_nothing_is_committed(database_url: str) -> None:
    db = Database(database_url)
    t = scratch_table(db)
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute(t.insert().values(n=1))
        raise RuntimeError("crash mid-write")
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
    db.dispose()


def test_when_many_threads_write_to_sqlite_then_none_fails(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    t = scratch_table(db)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(20):
                with db.write() as conn:
                    conn.execute(t.insert().values(n=i * 100 + j))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(t)).scalar_one() == 120
    db.dispose()


def test_when_not_migrated_then_not_up_to_date(sqlite_url: str) -> None:
    assert not is_up_to_date(Database(sqlite_url))


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url"])
def test_when_url_is_unsupported_then_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        Database(url)


def test_when_migrations_ship_then_they_form_one_line_with_one_head(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        assert script_heads(db) == {"0018_console_logins"}
        upgrade(db, "0004_idempotency")  # a store from before casework: two lines
        upgrade(db, "0008_evidence")
        assert current_heads(db) == {"0004_idempotency", "0008_evidence"}
        assert not is_up_to_date(db)
        upgrade(db)
        assert current_heads(db) == {"0018_console_logins"}
    finally:
        db.dispose()
