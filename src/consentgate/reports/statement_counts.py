"""Restrictions as their statements of reasons say them: the measures of template parts 4
(actions on notices), 5 and 6 (measures of the provider's own initiative).

Why from the statements: a restriction and its statement are written in one
transaction (``cases.statements.writer``), and the statement is what the
Transparency Database and the affected user are told. Counting the same rows makes
the report say what the statements say: each measure under its statement's
``category`` and first keyword (``category_specification``), in part 5 or 6 by its
``decision_ground``, by its ``decision_visibility``, its ``automated_detection``,
and as notice-led or own-initiative by its ``source_type``. So a report's measures
by category are the exported statements by category, for any period.

A statement counts in the period its restriction was made in (``created_at``; the
``application_date`` index narrows the read first). One ``GROUP BY``: a few hundred
rows come back, never the statements.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Text, cast, func, select

from consentgate.cases.statements.tdb import DecisionVisibility, SourceType, YesNo
from consentgate.reports.categories import Basis, Category
from consentgate.reports.period import Period
from consentgate.reports.sql import Dialect
from consentgate.store.statements_tables import statements

NOTICE_SOURCES = frozenset(
    {SourceType.ARTICLE_16.value, SourceType.TRUSTED_FLAGGER.value,
     SourceType.OTHER_NOTIFICATION.value}
)  # fmt: skip
"""Statements of restrictions on a notice (part 4); the rest (``SOURCE_VOLUNTARY``) are of
the provider's own initiative (parts 5 and 6)."""
_TICK = timedelta(microseconds=1)


class Stated(NamedTuple):
    """One group of statements made in the period (a row of ``stated_groups``)."""

    category: Category
    basis: Basis
    from_notice: bool
    trusted: bool
    visibility: tuple[str, ...]
    automated_detection: bool
    n: int

    @property
    def removed(self) -> bool:
        return DecisionVisibility.CONTENT_REMOVED.value in self.visibility


def stated_groups(conn: Connection, dialect: Dialect, period: Period) -> list[Stated]:
    """Statements of restrictions made in ``period``, counted by what a report splits by."""
    last_day = (period.end - _TICK).date()
    doc = (
        select(dialect.parsed(statements.c.statement).label("doc"))
        .where(
            statements.c.application_date >= period.start.date(),
            statements.c.application_date <= last_day,
            statements.c.created_at >= period.start,
            statements.c.created_at < period.end,
        )
        .offset(0)  # parse each body once (see ``case_facts``)
        .subquery("stated")
    ).c.doc
    keys = (
        doc["category"].as_string(),
        cast(doc["category_specification"], Text),
        doc["decision_ground"].as_string(),
        doc["source_type"].as_string(),
        cast(doc["decision_visibility"], Text),
        doc["automated_detection"].as_string(),
    )
    rows = conn.execute(select(*keys, func.count()).group_by(*keys)).all()
    return [_stated(*row) for row in rows]


def _stated(
    category: str, keywords: str | None, ground: str, source: str, visibility: str | None,
    detection: str, n: int,
) -> Stated:  # fmt: skip
    listed = _listed(keywords)
    return Stated(
        category=Category(category, listed[0] if listed else None),
        basis=Basis.of_ground(ground),
        from_notice=source in NOTICE_SOURCES,
        trusted=source == SourceType.TRUSTED_FLAGGER.value,
        visibility=_listed(visibility),
        automated_detection=detection == YesNo.YES.value,
        n=int(n),
    )


def _listed(text: str | None) -> tuple[str, ...]:
    """A JSON array of strings as the store returns it (absent: empty)."""
    value: Any = json.loads(text) if text else None
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
