"""Counts over ``case_facts``: decisions and their times, deadlines, own-initiative removals.

Each function runs one or two ``GROUP BY`` queries and folds the few rows that
come back; nothing here reads cases one by one.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from sqlalchemy import Connection, FromClause, and_, func, or_, select

from consentgate.cases.records import CaseKind, Queue
from consentgate.reports.period import Period
from consentgate.reports.records import NONE_MEASURED, CaseDecisions, Percentiles, QueueTiming
from consentgate.reports.sql import ALL, percentiles
from consentgate.settings import Settings

OWN_INITIATIVE_KINDS = (
    CaseKind.AUTOMATED_REVIEW.value,  # an upload held for a person
    CaseKind.RETRO_MATCH.value,  # content already up, matched later
    CaseKind.BANK_ALERT.value,
)
"""Cases whose removal is a measure of the provider's own initiative. An automated
escalation's content was already blocked by its screen, which counts as the measure."""


class Decided(NamedTuple):
    """One group of decisions made in the period (a row of ``decided_groups``)."""

    queue: str
    kind: str
    from_notice: bool
    trusted: bool
    action: str
    automated: bool
    late: bool
    n: int


def seconds(period: Period) -> tuple[float, float]:
    return period.start.timestamp(), period.end.timestamp()


def decided_in(f: FromClause, period: Period) -> Any:
    start, end = seconds(period)
    return and_(f.c.decided >= start, f.c.decided < end)


def decided_groups(conn: Connection, f: FromClause, period: Period) -> list[Decided]:
    """Decisions made in the period, counted by everything a report splits them by."""
    keys = (
        f.c.queue,
        f.c.kind,
        f.c.notice_id.is_not(None),
        f.c.trusted,
        f.c.action,
        f.c.automated,
        f.c.decided > f.c.deadline,
    )
    rows = conn.execute(
        select(*keys, func.count()).where(decided_in(f, period)).group_by(*keys)
    ).all()
    return [
        Decided(
            queue=r[0], kind=r[1], from_notice=bool(r[2]), trusted=bool(r[3]),
            action=r[4] or "", automated=bool(r[5]), late=bool(r[6]), n=int(r[7]),
        )
        for r in rows
    ]  # fmt: skip


def case_decisions(
    conn: Connection, f: FromClause, period: Period, groups: list[Decided], settings: Settings
) -> CaseDecisions:
    """Decisions, their times by queue, and deadlines missed (decided late, or still open)."""
    start, end = seconds(period)
    durations = (f.c.decided - f.c.received).label("dur")
    timing = percentiles(
        conn,
        select(f.c.queue.label("grp"), durations)
        .where(decided_in(f, period))
        .union_all(select(ALL.label("grp"), durations).where(decided_in(f, period))),
    )
    received: Counter[str] = Counter(
        dict(
            conn.execute(
                select(f.c.queue, func.count())
                .where(f.c.received >= start, f.c.received < end)
                .group_by(f.c.queue)
            ).all()
        )
    )
    still_open = or_(f.c.decided.is_(None), f.c.decided >= end)
    open_breached: Counter[str] = Counter(
        dict(
            conn.execute(
                select(f.c.queue, func.count())
                .where(f.c.received < end, still_open, f.c.deadline < end)
                .group_by(f.c.queue)
            ).all()
        )
    )
    decided, late = Counter[str](), Counter[str]()
    for g in groups:
        decided[g.queue] += g.n
        late[g.queue] += g.n if g.late else 0
    deadlines = {
        Queue.CHILD_SAFETY: settings.case_deadline_child_safety_h,
        Queue.INTIMATE_IMAGES: settings.case_deadline_intimate_h,
        Queue.OTHER: settings.case_deadline_other_h,
    }
    return CaseDecisions(
        total=sum(g.n for g in groups),
        remove=sum(g.n for g in groups if g.action == "remove"),
        no_action=sum(g.n for g in groups if g.action == "no_action"),
        automated=sum(g.n for g in groups if g.automated),
        human=sum(g.n for g in groups if not g.automated),
        time_to_decision=timing.get("all", NONE_MEASURED),
        queues=[
            QueueTiming(
                queue=q.value,
                deadline_h=deadlines[q],
                received=int(received[q.value]),
                decided=decided[q.value],
                time_to_decision=timing.get(q.value, NONE_MEASURED),
                decided_late=late[q.value],
                open_breached=int(open_breached[q.value]),
            )
            for q in Queue
        ],
    )


def notice_medians(
    conn: Connection, f: FromClause, period: Period
) -> dict[tuple[str, bool], Percentiles]:
    """Time from receipt to decision of notice items, by category key and keyword key (and
    TOTAL), for all notices (``False``) and those of trusted flaggers (``True``)."""
    dur = (f.c.decided - f.c.received).label("dur")
    of_notices = and_(decided_in(f, period), f.c.notice_id.is_not(None))
    found: dict[tuple[str, bool], Percentiles] = {}
    for trusted in (False, True):
        where = and_(of_notices, f.c.trusted) if trusted else of_notices
        by = [
            select(f.c.category.label("grp"), dur).where(where, f.c.category.is_not(None)),
            select((f.c.category + "/" + f.c.keyword).label("grp"), dur).where(
                where, f.c.keyword.is_not(None)
            ),
            select(ALL.label("grp"), dur).where(where),
        ]
        for name, value in percentiles(conn, by[0].union_all(*by[1:])).items():
            found[("TOTAL" if name == "all" else name, trusted)] = value
    return found
