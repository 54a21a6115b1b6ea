"""The words a reviewer reads for the case vocabulary: kinds, queues, states and events."""

from __future__ import annotations

from datetime import datetime

from consentgate.cases.deadlines import Clock
from consentgate.cases.records import Action, CaseEvent, CaseKind, CaseState, EventKind, Queue

KINDS = {
    CaseKind.DSA_NOTICE: "DSA notice",
    CaseKind.TAKE_IT_DOWN: "TAKE IT DOWN request",
    CaseKind.UK_INTIMATE_IMAGE: "UK intimate image report",
    CaseKind.CHILD_SAFETY: "Child-safety report",
    CaseKind.AUTOMATED_REVIEW: "Screen sent for review",
    CaseKind.AUTOMATED_ESCALATION: "Child-safety escalation (R1)",
    CaseKind.RETRO_MATCH: "Bank match found later",
    CaseKind.BANK_ALERT: "Bank flood alert",
}

QUEUES = {
    Queue.CHILD_SAFETY: "Child safety",
    Queue.INTIMATE_IMAGES: "Intimate images",
    Queue.OTHER: "Other",
}

STATES = {
    CaseState.OPEN: "Open",
    CaseState.IN_REVIEW: "In review",
    CaseState.ACTIONED: "Removed",
    CaseState.NO_ACTION: "No action",
    CaseState.APPEALED: "Under appeal",
    CaseState.UPHELD: "Appeal: upheld",
    CaseState.REVERSED: "Appeal: reversed",
}

ACTIONS = {Action.REMOVE: "Remove", Action.NO_ACTION: "No action"}

CLOCKS = {
    Clock.ON_TIME: "On time",
    Clock.AT_RISK: "At risk",
    Clock.BREACHED: "Breached",
}

EVENTS = {
    EventKind.RECEIVED: "Received",
    EventKind.TRIAGED: "Triaged",
    EventKind.ASSIGNED: "Assigned",
    EventKind.DECIDED: "Decided",
    EventKind.ACTION_SENT: "Action sent",
    EventKind.ACTION_FAILED: "Action failed",
    EventKind.APPEALED: "Appealed",
    EventKind.APPEAL_DECIDED: "Appeal decided",
    EventKind.ESCALATED: "Escalated",
    EventKind.EVIDENCE_VIEWED: "Evidence viewed",
    EventKind.EVIDENCE_KEPT: "Evidence kept",
    EventKind.EVIDENCE_PURGED: "Evidence purged",
    EventKind.EVIDENCE_OPEN_FAILED: "Evidence failed to open",
    EventKind.EVIDENCE_REKEYED: "Evidence re-sealed",
    EventKind.BANK_CHANGED: "Bank changed",
}

_OUTCOMES = {
    "remove": "remove",
    "no_action": "no action",
    "upheld": "upheld",
    "reversed": "reversed",
}


def event_summary(event: CaseEvent) -> str:
    """One line saying what an event did, beyond its kind (its action, outcome, target)."""
    data = event.data
    if event.kind is EventKind.DECIDED:
        return _OUTCOMES.get(str(data.get("action")), str(data.get("action")))
    if event.kind is EventKind.APPEAL_DECIDED:
        return _OUTCOMES.get(str(data.get("outcome")), str(data.get("outcome")))
    if event.kind is EventKind.APPEALED:
        return f"for the {str(data.get('by', '')).replace('_', ' ')}"
    if event.kind is EventKind.ASSIGNED:
        return f"assigned to {data.get('to', event.actor)}"
    if event.kind in (EventKind.EVIDENCE_VIEWED, EventKind.EVIDENCE_KEPT):
        return f"evidence {data.get('evidence_id', '')}".strip()
    return ""


def when(at: datetime | None) -> str:
    """A UTC instant as a reviewer reads it: ``2026-12-08 14:05 UTC``."""
    return "" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def left(deadline: datetime, now: datetime) -> str:
    """Time to a deadline as the countdown first shows it: ``3h 05m left``, ``overdue by 2d 1h``."""
    seconds = int(abs((deadline - now).total_seconds()))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        span = f"{days}d {hours}h"
    elif hours:
        span = f"{hours}h {minutes:02d}m"
    else:
        span = f"{minutes}m {seconds % 60:02d}s"
    return f"{span} left" if deadline > now else f"overdue by {span}"


def state_choice(value: str) -> str:
    """The state filter's options: ``open`` (open and in review), ``listed``, or one state."""
    if value == "open":
        return "To decide (open, in review)"
    if value == "listed":
        return "To decide or under appeal"
    return STATES[CaseState(value)]


def hours(value: float | None) -> str:
    """A duration in hours as ``45 min``, ``3.2 h`` or ``2.5 days``."""
    if value is None:
        return ""
    if value < 1:
        return f"{value * 60:.0f} min"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"
