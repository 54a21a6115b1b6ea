"""Commit listeners hear what a write noted after it commits, never after a rollback."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from sqlalchemy import text

from consentgate.store.database import Database, note_for_commit


def test_when_a_write_commits_then_listeners_hear_the_largest_value_per_topic(
    database_url: str,
) -> None:
    db = Database(database_url)
    heard: list[dict[str, int]] = []
    db.on_commit(lambda notes: heard.append(dict(notes)))
    with db.write() as conn:
        conn.execute(text("SELECT 1"))
        note_for_commit(conn, "a", 3)
        note_for_commit(conn, "a", 7)
        note_for_commit(conn, "a", 5)
        note_for_commit(conn, "b", 1)
        assert heard == []  # not before the commit
    assert heard == [{"a": 7, "b": 1}]
    with db.write() as conn:
        conn.execute(text("SELECT 1"))  # noted nothing: nobody is told
    assert heard == [{"a": 7, "b": 1}]
    db.dispose()


def test_when_a_write_rolls_back_then_no_listener_hears_of_it(database_url: str) -> None:
    db = Database(database_url)
    heard: list[Mapping[str, int]] = []
    db.on_commit(heard.append)
    with pytest.raises(RuntimeError), db.write() as conn:
        note_for_commit(conn, "a", 1)
        raise RuntimeError("crash mid-write")
    with db.write() as conn:  # the same pooled connection carries no stale note
        conn.execute(text("SELECT 1"))
    assert heard == []
    db.dispose()


def test_when_a_listener_fails_then_the_write_is_still_committed_and_others_hear(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(database_url)
    heard: list[Mapping[str, int]] = []

    def broken(_: Mapping[str, int]) -> None:
        raise ConnectionError("broker down")

    db.on_commit(broken)
    db.on_commit(heard.append)
    with db.write() as conn:
        note_for_commit(conn, "a", 1)
    assert heard == [{"a": 1}]
    assert "a commit listener failed" in caplog.text
    db.dispose()


def test_when_a_read_connection_notes_then_nothing_is_told(database_url: str) -> None:
    db = Database(database_url)
    heard: list[Mapping[str, int]] = []
    db.on_commit(heard.append)
    with db.read() as conn:
        note_for_commit(conn, "a", 1)
    with db.write() as conn:
        conn.execute(text("SELECT 1"))
    assert heard == []
    db.dispose()
