"""On PostgreSQL the store itself refuses to change audit history (migration 0012).

An UPDATE or DELETE of an event, a TRUNCATE, or moving the head anywhere but to
the next appended event raises, and the rows stay as they were; appends go on.
Downgrading past 0012 drops the guard.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from consentgate.audit import chain
from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.settings import Settings
from consentgate.store.cases_tables import audit_events, audit_head
from consentgate.store.database import Database
from consentgate.store.migrate import alembic_config, upgrade
from tests.conftest import scratch_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    with scratch_database(postgres_url, "cg_guard") as url:
        database = Database(url)
        upgrade(database)
        service = CaseService(database, Settings(database_url=url))
        case = service.open(CaseKind.DSA_NOTICE, Item(url="https://example.com/1"))
        service.decide(case.id, Action.REMOVE, reason="r", actor="alice")
        yield database
        database.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'bob' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 2",
        "TRUNCATE audit_events",
        "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_events WHERE seq = 1)",
        "UPDATE audit_head SET seq = 3, hash = 'f00d'",
        "DELETE FROM audit_head",
    ],
)
def test_when_history_is_changed_on_postgresql_then_the_statement_raises_and_rows_stay(
    pg: Database, statement: str
) -> None:
    with pg.read() as conn:
        before = conn.execute(select(audit_events).order_by(audit_events.c.seq)).all()
        head = conn.execute(select(audit_head)).one()
    with pytest.raises(DBAPIError, match=r"append-only|only moves"), pg.write() as conn:
        conn.execute(text(statement))
    with pg.read() as conn:
        assert conn.execute(select(audit_events).order_by(audit_events.c.seq)).all() == before
        assert conn.execute(select(audit_head)).one() == head
        assert before[1].actor == "alice"
        assert chain.verify(conn).events == 2


def test_when_events_are_appended_on_postgresql_then_the_guard_lets_them_through(
    pg: Database,
) -> None:
    service = CaseService(pg, Settings(database_url=pg.url))
    service.open(CaseKind.DSA_NOTICE, Item(url="https://example.com/2"))
    with pg.read() as conn:
        assert chain.verify(conn).events == 3


def test_when_migrated_down_past_0012_then_the_guard_is_gone(pg: Database) -> None:
    command.downgrade(alembic_config(pg), "0011_counters")
    with pg.write() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'bob' WHERE seq = 2"))
    with pg.read() as conn, pytest.raises(chain.ChainBroken, match="event 2 was altered"):
        chain.verify(conn)
    upgrade(pg)  # and back up again
