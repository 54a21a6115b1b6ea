"""A migrated store (SQLite and PostgreSQL), a movable clock, and the report tests' world."""

from __future__ import annotations

import pytest

from consentgate.cases.service import CaseService
from consentgate.store.database import Database
from tests.cases.conftest import MovableClock, clock, db, service  # noqa: F401  (fixtures)
from tests.reports.world import World, build_world


@pytest.fixture
def world(db: Database, service: CaseService, clock: MovableClock) -> World:  # noqa: F811
    return build_world(db, service, clock)
