"""Counts from the other tables: screens, their daily series, bank sizes, child-safety reports."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import Connection, FromClause, and_, exists, func, not_, or_, select

from consentgate.banks.records import EntryStatus
from consentgate.cases.records import Queue
from consentgate.records import Mode, Verdict
from consentgate.reports.case_counts import decided_in, seconds
from consentgate.reports.period import Period
from consentgate.reports.records import BankSize, ChildSafety, ScreenCounts, Series, SeriesPoint
from consentgate.reports.sql import Dialect
from consentgate.store.agency_tables import agency_reports
from consentgate.store.banks_tables import bank_entries, banks
from consentgate.store.service_tables import decisions

DAILY_UP_TO_DAYS = 190
"""Periods up to about half a year are charted by day, longer ones by month."""


ScreenBuckets = dict[str, dict[str, int]]
"""Screens per day (or month): bucket → verdict → count."""


def unit_of(period: Period) -> str:
    return "day" if period.days <= DAILY_UP_TO_DAYS else "month"


def screen_counts(
    conn: Connection, dialect: Dialect, period: Period
) -> tuple[ScreenCounts, ScreenBuckets]:
    """Screens made in the period (one pass over them) and their verdicts per day (or month).

    A blocked upload is content that never appeared: a restriction of user
    content, with its statement of reasons (counted by category from those, in
    ``statement_counts``). A refused generation or edit request restricts nothing a
    user had posted (no content existed yet), so it is counted apart.
    """
    made = dialect.bucket_of_timestamp(decisions.c.created, unit_of(period))
    keys = (made, decisions.c.mode, decisions.c.verdict, decisions.c.escalate)
    created = dialect.ranged(conn, decisions.c.created, period)
    rows = conn.execute(
        select(*keys, func.count())
        .where(created >= period.start, created < period.end)
        .group_by(*keys)
    ).all()
    by_verdict: Counter[str] = Counter()
    by_mode: dict[str, Counter[str]] = defaultdict(Counter)
    buckets: dict[str, Counter[str]] = defaultdict(Counter)
    escalations = uploads_blocked = refused = 0
    for at, mode, verdict, escalate, count in rows:
        by_verdict[verdict] += count
        by_mode[mode][verdict] += count
        buckets[at][verdict] += count
        escalations += count if escalate else 0
        if verdict != Verdict.BLOCK.value:
            continue
        if mode != Mode.UPLOAD.value:
            refused += count
            continue
        uploads_blocked += count
    screens = ScreenCounts(
        total=sum(by_verdict.values()),
        by_verdict={v.value: by_verdict[v.value] for v in Verdict},
        by_mode={m: dict(c) for m, c in sorted(by_mode.items())},
        escalations=escalations,
        uploads_blocked=uploads_blocked,
        requests_refused=refused,
    )
    return screens, {at: dict(c) for at, c in buckets.items()}


def series(
    conn: Connection, dialect: Dialect, f: FromClause, period: Period, screened: ScreenBuckets
) -> Series:
    """Screens by verdict, cases received and cases decided, per day (or month) of the period."""
    unit = unit_of(period)
    start, end = seconds(period)
    points = {at: SeriesPoint(at=at, screens={}) for at in buckets(period, unit)}
    for at, verdicts in screened.items():
        points[at] = SeriesPoint(at=at, screens=verdicts)
    received = dialect.bucket(f.c.received, unit)
    for at, count in conn.execute(
        select(received, func.count())
        .where(f.c.received >= start, f.c.received < end)
        .group_by(received)
    ).all():
        points[at] = points[at].model_copy(update={"cases_received": int(count)})
    decided = dialect.bucket(f.c.decided, unit)
    for at, count in conn.execute(
        select(decided, func.count()).where(decided_in(f, period)).group_by(decided)
    ).all():
        points[at] = points[at].model_copy(update={"cases_decided": int(count)})
    return Series(unit=unit, points=[points[k] for k in sorted(points)])


def buckets(period: Period, unit: str) -> list[str]:
    """The names of every day (or month) the period touches, in order."""
    first, last = period.start.date(), (period.end - timedelta(microseconds=1)).date()
    names: list[str] = []
    day = first
    while day <= last:
        name = day.isoformat() if unit == "day" else day.strftime("%Y-%m")
        if not names or names[-1] != name:
            names.append(name)
        day += timedelta(days=1)
    return names


def bank_sizes(conn: Connection) -> list[BankSize]:
    """Active entries per bank now (banks keep no history of their size)."""
    active = and_(
        bank_entries.c.bank_id == banks.c.id, bank_entries.c.status == EntryStatus.ACTIVE.value
    )
    rows = conn.execute(
        select(banks.c.name, banks.c.kind, func.count(bank_entries.c.id))
        .select_from(banks.outerjoin(bank_entries, active))
        .group_by(banks.c.id, banks.c.name, banks.c.kind)
        .order_by(banks.c.name)
    ).all()
    return [BankSize(name=name, kind=kind, entries=int(n)) for name, kind, n in rows]


def child_safety(conn: Connection, f: FromClause, period: Period) -> ChildSafety:
    """Escalations opened in the period, reports made in it, and those still awaiting one."""
    start, end = seconds(period)
    in_queue = f.c.queue == Queue.CHILD_SAFETY.value
    opened = conn.execute(
        select(func.count()).where(in_queue, f.c.received >= start, f.c.received < end)
    ).scalar_one()
    reported: dict[str, int] = dict(
        conn.execute(
            select(agency_reports.c.agency, func.count())
            .where(
                agency_reports.c.reported_at >= period.start,
                agency_reports.c.reported_at < period.end,
            )
            .group_by(agency_reports.c.agency)
        ).all()
    )
    no_action = or_(
        and_(f.c.action == "no_action", f.c.state != "reversed"),
        and_(f.c.action == "remove", f.c.state == "reversed"),
    )
    has_report = exists().where(agency_reports.c.case_id == f.c.id)
    awaiting = conn.execute(
        select(func.count()).where(
            in_queue, f.c.received < end, not_(has_report), not_(func.coalesce(no_action, False))
        )
    ).scalar_one()
    return ChildSafety(
        escalations=int(opened),
        reported={str(k): int(v) for k, v in reported.items()},
        awaiting_report=int(awaiting),
    )
