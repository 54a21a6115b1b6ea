"""A case service on a migrated store (SQLite and PostgreSQL) with a clock tests move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from consentgate.cases.service import CaseService
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class MovableClock:
    def __init__(self, at: datetime = START) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def service(db: Database, clock: MovableClock) -> CaseService:
    return CaseService(db, Settings(database_url=db.url), clock=clock)
