"""Builds a ``TransparencyReport`` from the store, for one period, in one read transaction.

Why one transaction: every part of the report then describes the same instant
of the store, on PostgreSQL as on SQLite, even while the service keeps deciding.
``progress`` is told each step (the CLI prints them; a long period takes a while).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from consentgate.reports.appeal_counts import appeal_counts
from consentgate.reports.case_counts import (
    OWN_INITIATIVE_KINDS,
    Decided,
    case_decisions,
    decided_groups,
    notice_medians,
)
from consentgate.reports.case_facts import materialise
from consentgate.reports.categories import Basis, Category, basis_of
from consentgate.reports.notice_counts import notice_counts
from consentgate.reports.period import Period
from consentgate.reports.records import Automation, MeasureRow, TransparencyReport
from consentgate.reports.sql import Dialect
from consentgate.reports.store_counts import (
    BlockedUploads,
    bank_sizes,
    child_safety,
    screen_counts,
    series,
)
from consentgate.settings import Settings
from consentgate.store.database import Database

Progress = Callable[[str], None]


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
    screens, blocked, screened = screen_counts(conn, dialect, period)
    say("cases")
    facts = materialise(conn, dialect)
    say("decisions on cases")
    groups = decided_groups(conn, facts, period)
    decisions = case_decisions(conn, facts, period, groups, settings)
    say("notices")
    notices = notice_counts(conn, period, groups, notice_medians(conn, facts, period))
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
        own_initiative=own_initiative(groups, blocked),
        appeals=appeals,
        automation=automation(groups, screens.uploads_blocked),
        banks=banks,
        child_safety=safety,
        series=points,
    )


def own_initiative(groups: list[Decided], blocked: BlockedUploads) -> list[MeasureRow]:
    """Templates 5 and 6: blocked uploads, and removals of cases no notice opened, by category
    (a TOTAL row first for each basis). Every one of them was detected by automated means."""
    counts: Counter[tuple[Basis, str, str | None]] = Counter()

    def add(basis: Basis, category: Category | None, n: int) -> None:
        counts[(basis, "TOTAL", None)] += n
        if category is not None:
            counts[(basis, category.category, None)] += n
            if category.keyword is not None:
                counts[(basis, category.category, category.keyword)] += n

    for (basis, category), n in blocked.items():
        add(basis, category, n)
    for g in groups:
        if g.action == "remove" and g.kind in OWN_INITIATIVE_KINDS:
            add(basis_of(g.category), g.category, g.n)
    for basis in Basis:
        counts.setdefault((basis, "TOTAL", None), 0)
    return [
        MeasureRow(basis=b, category=c, keyword=k, measures=n, automated_detection=n, removals=n)
        for (b, c, k), n in sorted(
            counts.items(), key=lambda i: (i[0][0], i[0][1] != "TOTAL", i[0][1], i[0][2] or "")
        )
    ]


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
