"""Deadlines per queue, and whether a case is at risk or breached at an instant.

Why per queue: the law sets the clocks by what is reported. Intimate images (UK
OSA s.10(3A), US TAKE IT DOWN 47 USC 223a(a)(3)) must come down within 48 hours
of receipt; child-safety reports "immediately" (an operational target, 1 hour
by default); the rest within 7 days. A case is ``at_risk`` in the last quarter
of its time and ``breached`` from its deadline on, until it is decided.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from consentgate.cases.records import Case, CaseState, Queue
from consentgate.settings import Settings

AT_RISK_FRACTION = 0.25
OPEN_STATES = frozenset({CaseState.OPEN, CaseState.IN_REVIEW})


class Clock(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"


def time_allowed(queue: Queue, settings: Settings) -> timedelta:
    hours = {
        Queue.CHILD_SAFETY: settings.case_deadline_child_safety_h,
        Queue.INTIMATE_IMAGES: settings.case_deadline_intimate_h,
        Queue.OTHER: settings.case_deadline_other_h,
    }[queue]
    return timedelta(hours=hours)


def deadline_for(queue: Queue, received_at: datetime, settings: Settings) -> datetime:
    return received_at + time_allowed(queue, settings)


def clock_of(case: Case, now: datetime) -> Clock | None:
    """Where a case stands against its deadline at ``now`` (None once decided)."""
    if case.state not in OPEN_STATES:
        return None
    if now >= case.deadline_at:
        return Clock.BREACHED
    span = case.deadline_at - case.received_at
    if now >= case.deadline_at - span * AT_RISK_FRACTION:
        return Clock.AT_RISK
    return Clock.ON_TIME
