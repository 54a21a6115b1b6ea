"""A case's state, derived from its events (the only truth).

``fold`` applies one event to the case it belongs to; replaying every event of a
case from ``received`` on gives the same record the ``cases`` table caches.
"""

from __future__ import annotations

from consentgate.cases.records import (
    Action,
    AppealOutcome,
    Appellant,
    Case,
    CaseEvent,
    CaseState,
    EventKind,
)


def fold(case: Case, event: CaseEvent) -> Case:
    """The case after ``event`` (events that change no state still count in ``version``)."""
    changes: dict[str, object] = {"version": case.version + 1}
    kind, data = event.kind, event.data
    if kind in (EventKind.TRIAGED, EventKind.ASSIGNED) and case.state is CaseState.OPEN:
        changes["state"] = CaseState.IN_REVIEW
    if kind is EventKind.ASSIGNED:
        changes["assigned_to"] = data.get("to", event.actor)
    elif kind is EventKind.DECIDED:
        action = Action(data["action"])
        changes |= {
            "state": CaseState.ACTIONED if action is Action.REMOVE else CaseState.NO_ACTION,
            "action": action,
            "decided_by": event.actor,
            "decided_by_user": data.get("user_id"),
            "decided_at": event.at,
        }
    elif kind is EventKind.APPEALED:
        changes |= {
            "state": CaseState.APPEALED,
            "appeal_by": Appellant(data["by"]),
            "appealed_at": event.at,
        }
    elif kind is EventKind.APPEAL_DECIDED:
        outcome = AppealOutcome(data["outcome"])
        changes |= {
            "state": CaseState.UPHELD if outcome is AppealOutcome.UPHELD else CaseState.REVERSED,
            "appeal_decided_by": event.actor,
        }
    elif kind is EventKind.ESCALATED:
        changes["escalated"] = True
    return case.model_copy(update=changes)
