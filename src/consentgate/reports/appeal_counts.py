"""Template part 7: complaints filed in the period, their outcomes and how long they took.

An appeal's outcome and time come from its ``appeal_decided`` event in the audit
chain (the case row keeps who decided it, not when); only outcomes known before
the period's end count, so a report re-run later says the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import Connection, FromClause, and_, case, func, literal, select

from consentgate.cases.records import EventKind
from consentgate.reports.case_counts import seconds
from consentgate.reports.period import Period
from consentgate.reports.records import NONE_MEASURED, AppealCounts, AppealType
from consentgate.reports.sql import ALL, Dialect, percentiles
from consentgate.store.cases_tables import audit_events

TYPES = ("removal", "no_action_notice", "no_action_trusted_flagger")
"""Complaints about a removal; about not acting on a notice (other than a trusted
flagger's); about not acting on a trusted flagger's notice."""


def appeal_counts(
    conn: Connection, dialect: Dialect, f: FromClause, period: Period
) -> AppealCounts:
    start, end = seconds(period)
    outcome_event = audit_events.alias("outcome")
    joined = f.outerjoin(
        outcome_event,
        and_(
            outcome_event.c.case_id == f.c.id,
            outcome_event.c.kind == EventKind.APPEAL_DECIDED.value,
            outcome_event.c.at < period.end,
        ),
    )
    appeal_type = case(
        (f.c.action == "remove", literal("removal")),
        (f.c.trusted, literal("no_action_trusted_flagger")),
        (f.c.notice_id.is_not(None), literal("no_action_notice")),
        else_=literal("other"),
    )
    outcome = outcome_event.c.data["outcome"].as_string()
    filed = and_(f.c.appealed >= start, f.c.appealed < end)
    keys = (appeal_type, f.c.appeal_by, f.c.action, outcome)
    rows = conn.execute(
        select(*keys, func.count()).select_from(joined).where(filed).group_by(*keys)
    ).all()
    dur = (dialect.epoch(outcome_event.c.at) - f.c.appealed).label("dur")
    decided = and_(filed, outcome_event.c.seq.is_not(None))
    timing = percentiles(
        conn,
        select(appeal_type.label("grp"), dur)
        .select_from(joined)
        .where(decided)
        .union_all(select(ALL.label("grp"), dur).select_from(joined).where(decided)),
    )
    types: dict[str, Counter[str]] = defaultdict(Counter)
    by_appellant: Counter[str] = Counter()
    new_restrictions = 0
    for kind, appellant, action, result, count in rows:
        types[kind]["filed"] += count
        types[kind][result or "pending"] += count
        by_appellant[appellant or "unknown"] += count
        if action == "no_action" and result == "reversed":
            new_restrictions += count
    total: Counter[str] = sum(types.values(), Counter())
    return AppealCounts(
        filed=total["filed"],
        by_appellant=dict(by_appellant),
        upheld=total["upheld"],
        reversed=total["reversed"],
        pending=total["pending"],
        new_restrictions=new_restrictions,
        time_to_decision=timing.get("all", NONE_MEASURED),
        types=[
            AppealType(
                type=name,
                filed=types[name]["filed"],
                upheld=types[name]["upheld"],
                reversed=types[name]["reversed"],
                pending=types[name]["pending"],
                time_to_decision=timing.get(name, NONE_MEASURED),
            )
            for name in TYPES
        ],
    )
