"""Counts of casework over a period, from the case tables: what the reports page shows.

Why here and small: the console needs totals now (cases by queue and state,
decisions by a person or by automated means, time from receipt to decision,
appeals upheld and reversed); the transparency reports (DSA Art. 15/24, OSA)
are a larger module of their own. Times are read from the audit chain's
``decided`` events, joined to their cases' receipt times.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import median

from sqlalchemy import func, select

from consentgate.cases.records import AUTOMATED, EventKind, Queue
from consentgate.records import Record
from consentgate.store.cases_tables import audit_events, cases
from consentgate.store.database import Database


class QueueTally(Record):
    queue: Queue
    by_state: dict[str, int]
    decided: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


class Tally(Record):
    """Casework from ``since`` to ``until`` (states: every case as it stands now)."""

    since: datetime
    until: datetime
    queues: tuple[QueueTally, ...]
    decided_by_person: int
    decided_automatically: int
    appeals_upheld: int
    appeals_reversed: int


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def tally(db: Database, *, days: int, now: datetime) -> Tally:
    """Counts for the ``days`` before ``now``: cases received, decided and appealed in it."""
    since = now - timedelta(days=days)
    states: dict[str, Counter[str]] = {q.value: Counter() for q in Queue}
    hours: dict[str, list[float]] = {q.value: [] for q in Queue}
    by_person = automated = upheld = reversed_ = 0
    with db.read() as conn:
        for queue, state, count in conn.execute(
            select(cases.c.queue, cases.c.state, func.count())
            .where(cases.c.received_at >= since)
            .group_by(cases.c.queue, cases.c.state)
        ):
            states.setdefault(queue, Counter())[state] += count
        decided = conn.execute(
            select(audit_events.c.at, audit_events.c.actor, cases.c.queue, cases.c.received_at)
            .join(cases, cases.c.id == audit_events.c.case_id)
            .where(audit_events.c.kind == EventKind.DECIDED.value, audit_events.c.at >= since)
        )
        for at, actor, queue, received_at in decided:
            hours.setdefault(queue, []).append(
                (_utc(at) - _utc(received_at)).total_seconds() / 3600
            )
            if actor == AUTOMATED:
                automated += 1
            else:
                by_person += 1
        for (data,) in conn.execute(
            select(audit_events.c.data).where(
                audit_events.c.kind == EventKind.APPEAL_DECIDED.value, audit_events.c.at >= since
            )
        ):
            if data.get("outcome") == "reversed":
                reversed_ += 1
            else:
                upheld += 1
    return Tally(
        since=since,
        until=now,
        queues=tuple(
            QueueTally(
                queue=q,
                by_state=dict(states.get(q.value, {})),
                decided=len(hours[q.value]),
                median_hours=median(hours[q.value]) if hours[q.value] else None,
                p90_hours=_p90(hours[q.value]) if hours[q.value] else None,
            )
            for q in Queue
        ),
        decided_by_person=by_person,
        decided_automatically=automated,
        appeals_upheld=upheld,
        appeals_reversed=reversed_,
    )
