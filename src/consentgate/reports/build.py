"""Builds a ``TransparencyReport`` from the store, for one period, in one read transaction.

Why one transaction: every part of the report then describes the same instant
of the store, on PostgreSQL as on SQLite, even while the service keeps deciding.
``progress`` is told each step (the CLI prints them; a long period takes a while).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from consentgate.cases.statements.tdb import DecisionVisibility
from consentgate.reports.appeal_counts import appeal_counts
from consentgate.reports.case_counts import (
    OWN_INITIATIVE_KINDS,
    Decided,
    case_decisions,
    decided_groups,
    notice_medians,
)
from consentgate.reports.case_facts import materialise
from consentgate.reports.categories import Basis
from consentgate.reports.notice_counts import notice_counts
from consentgate.reports.period import Period
from consentgate.reports.records import Automation, MeasureRow, TransparencyReport
from consentgate.reports.sql import Dialect
from consentgate.reports.statement_counts import Stated, stated_groups
from consentgate.reports.store_counts import bank_sizes, child_safety, screen_counts, series
from consentgate.settings import Settings
from consentgate.store.database import Database

Progress = Callable[[str], None]
VISIBILITIES = [v.value for v in DecisionVisibility]


def build_report(
    db: Database,
    period: Period,
    settings: Settings,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> TransparencyReport:
    say = progress or (lambda _step: None)
    dialect = Dialect(db.is_sqlite)
    with db.read() as conn:
        return _build(conn, dialect, period, settings, now, say)


def _build(
    conn: Connection,
    dialect: Dialect,
    period: Period,
    settings: Settings,
    now: datetime,
    say: Progress,
) -> TransparencyReport:
    say("screens")
    screens, screened = screen_counts(conn, dialect, period)
    say("cases")
    facts = materialise(conn, dialect)
    say("decisions on cases")
    groups = decided_groups(conn, facts, period)
    decisions = case_decisions(conn, facts, period, groups, settings)
    say("statements of reasons")
    stated = stated_groups(conn, dialect, period)
    say("notices")
    notices = notice_counts(conn, period, stated, notice_medians(conn, facts, period))
    say("appeals")
    appeals = appeal_counts(conn, dialect, facts, period)
    say("banks and child-safety reports")
    banks = bank_sizes(conn)
    safety = child_safety(conn, facts, period)
    say("daily series")
    points = series(conn, dialect, facts, period, screened)
    return TransparencyReport(
        provider=settings.provider_name,
        period=period,
        generated_at=now,
        screens=screens,
        decisions=decisions,
        notices=notices,
        own_initiative=own_initiative(stated),
        appeals=appeals,
        automation=automation(groups, screens.uploads_blocked),
        banks=banks,
        child_safety=safety,
        series=points,
    )


def own_initiative(stated: list[Stated]) -> list[MeasureRow]:
    """Templates 5 and 6: the statements of own-initiative restrictions (blocked uploads,
    removals of cases no notice opened), by basis, category and first keyword, with a
    TOTAL row first for each basis."""
    counts: dict[tuple[Basis, str, str | None], Counter[str]] = defaultdict(Counter)
    for basis in Basis:  # a TOTAL row even when it is 0
        counts[(basis, "TOTAL", None)] = Counter()
    for g in stated:
        if g.from_notice:
            continue
        keys: list[tuple[Basis, str, str | None]] = [
            (g.basis, "TOTAL", None),
            (g.basis, g.category.category, None),
        ]
        if g.category.keyword is not None:
            keys.append((g.basis, *g.category))
        for key in keys:
            row = counts[key]
            row["measures"] += g.n
            row["automated_detection"] += g.n if g.automated_detection else 0
            row["removals"] += g.n if g.removed else 0
            for restriction in g.visibility:
                row[restriction] += g.n
    return [
        MeasureRow(
            basis=b, category=c, keyword=k, measures=row["measures"],
            automated_detection=row["automated_detection"], removals=row["removals"],
            visibility={v: row[v] for v in VISIBILITIES if row[v]},
        )
        for (b, c, k), row in sorted(
            counts.items(), key=lambda i: (i[0][0], i[0][1] != "TOTAL", i[0][1], i[0][2] or "")
        )
    ]  # fmt: skip


def automation(groups: list[Decided], uploads_blocked: int) -> Automation:
    """Template 8: measures (blocked uploads, removals) and notice items by who decided them."""
    removals = [g for g in groups if g.action == "remove" and g.kind != "automated_escalation"]
    own = [g for g in removals if g.kind in OWN_INITIATIVE_KINDS]
    of_notices = [g for g in groups if g.from_notice]
    trusted = [g for g in of_notices if g.trusted]

    def split(found: list[Decided]) -> tuple[int, int]:
        return sum(g.n for g in found if g.automated), sum(g.n for g in found if not g.automated)

    measures, own_split = split(removals), split(own)
    notices, trusted_split = split(of_notices), split(trusted)
    return Automation(
        measures_automated=uploads_blocked + measures[0],
        measures_human=measures[1],
        own_initiative_automated=uploads_blocked + own_split[0],
        own_initiative_human=own_split[1],
        notices_automated=notices[0],
        notices_human=notices[1],
        notices_trusted_automated=trusted_split[0],
        notices_trusted_human=trusted_split[1],
    )
