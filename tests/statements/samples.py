"""Statements for tests: valid ones built the way the writer builds them."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

from consentgate.cases.statements import store
from consentgate.cases.statements.build import Restriction, StatementConfig, build
from consentgate.cases.statements.records import Harm, Statement, StatementSource
from consentgate.cases.statements.tdb import AutomatedDecision, SourceType
from consentgate.settings import Settings
from consentgate.store.database import Database

DECIDED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def config(**settings: Any) -> StatementConfig:
    return StatementConfig.from_settings(Settings(**settings))


def statement(
    harm: Harm = Harm.INTIMATE_IMAGE_ABUSE,
    n: int = 1,
    decided_at: datetime = DECIDED,
    **settings: Any,
) -> Statement:
    return build(
        config(**settings),
        Restriction(
            statement_id=f"sor-test-{n}",
            harm=harm,
            facts="A removal request reported this content as an intimate image shared "
            "without consent. A moderator reviewed it and decided to remove it.",
            decided_at=decided_at,
            content_date=date(2026, 11, 30),
            source_type=SourceType.OTHER_NOTIFICATION,
            automated_detection=False,
            automated_decision=AutomatedDecision.NOT_AUTOMATED,
        ),
        source=StatementSource.CASE,
        case_id="c" * 32,
    )


def stored(db: Database, count: int, *, start: datetime = DECIDED, per_day: int = 1) -> list[str]:
    """Write ``count`` statements, ``per_day`` a day from ``start``; their ids in order."""
    ids = []
    with db.write() as conn:
        for n in range(count):
            made = statement(n=n, decided_at=start + timedelta(days=n // per_day))
            store.insert(conn, made)
            ids.append(made.id)
    return ids


def body(harm: Harm = Harm.INTIMATE_IMAGE_ABUSE, n: int = 1) -> dict[str, Any]:
    """A valid body (a fresh copy each time, safe to break)."""
    return copy.deepcopy(statement(harm, n).statement.body())
