"""Everything the case page shows, read through the services as one user.

Kept apart from the routes so that a re-rendered page (after a 409) and a
first view show the same facts, and so that no route grows past a screenful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from consentgate.cases.deadlines import OPEN_STATES, Clock, clock_of
from consentgate.cases.evidence import EvidenceRecord
from consentgate.cases.intake import NoticeService
from consentgate.cases.records import Appellant, Case, CaseEvent, CaseState, EventKind
from consentgate.cases.service import DECIDED_STATES, is_expedited, same_person
from consentgate.console.pages.access import check_case
from consentgate.console.pages.explain import Explanation, explain_decision, explain_opening
from consentgate.console.pages.statement import StatementPreview, preview_statement
from consentgate.errors import BadInput, NotFound
from consentgate.people import Act, User
from consentgate.service.wiring import Services

CASE_ID = re.compile(r"^[0-9a-f]{1,32}$")
NOTICE_SHOWN = (
    "explanation",
    "supporting_info",
    "alleged_category",
    "is_trusted_flagger",
    "threat_to_life",
    "submitted_by_role",
    "declares_subject_or_acting_for_subject",
)
"""What a reviewer reads of a notice; contact details stay out of the page."""


def checked_case_id(case_id: str) -> str:
    """A case id as the service makes them (hex), or 404: nothing else can name a case."""
    if not CASE_ID.match(case_id):
        raise NotFound(f"no case {case_id[:40]!r}")
    return case_id


@dataclass
class CaseView:
    case: Case
    clock: Clock | None
    expedited: bool
    events: list[CaseEvent]
    explanation: Explanation
    notice: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[EvidenceRecord] = field(default_factory=list)
    evidence_enabled: bool = False
    statement: StatementPreview | None = None
    may_decide: bool = False
    may_escalate: bool = False
    may_appeal: bool = False
    may_decide_appeal: bool = False
    own_decision: bool = False
    may_open_evidence: bool = False
    appellants: list[Appellant] = field(default_factory=list)
    bank_thresholds: dict[str, int] = field(default_factory=dict)


def _notice_facts(services: Services, case: Case) -> tuple[list[tuple[str, str]], bool]:
    if case.notice_id is None:
        return [], False
    try:
        stored = NoticeService(services.db, services.cases).stored(case.notice_id)
    except NotFound:
        return [("notice", "the notice record is missing")], False
    data: dict[str, Any] = stored.data
    facts = [(key.replace("_", " "), str(data[key])) for key in NOTICE_SHOWN if key in data]
    index = data.get("cases", []).index(case.id) if case.id in data.get("cases", []) else None
    if index is not None and index < len(data.get("items", [])):
        item = data["items"][index]
        facts += [
            (f"item {key}", str(item[key]))
            for key in ("url", "content_id", "description")
            if key in item
        ]
    return [("notice kind", stored.kind), *facts], bool(data.get("is_trusted_flagger"))


def _explanation(services: Services, case: Case, events: list[CaseEvent]) -> Explanation:
    if case.item.decision_id is not None:
        try:
            return explain_decision(services.decisions.get_recorded(case.item.decision_id))
        except NotFound:
            pass
    received = next((e for e in events if e.kind is EventKind.RECEIVED), None)
    return explain_opening(received.data if received is not None else {})


def _thresholds(services: Services, explanation: Explanation) -> dict[str, int]:
    found = {}
    for match in explanation.banks:
        try:
            found[match.bank] = services.banks.service.get_bank(match.bank).threshold
        except (NotFound, BadInput):  # a bank since deleted, or a name it no longer takes
            continue
    return found


def build_case_view(services: Services, user: User, case_id: str, *, facts: str) -> CaseView:
    """The case page's facts for ``user`` (403 for a queue their role does not show)."""
    case = services.cases.get(checked_case_id(case_id))
    check_case(user, case)
    events = services.cases.history(case.id)
    now = services.cases.clock()
    notice, trusted = _notice_facts(services, case)
    explanation = _explanation(services, case, events)
    vault = services.automated.vault
    view = CaseView(
        case=case,
        clock=clock_of(case, now),
        expedited=is_expedited(case),
        events=events,
        explanation=explanation,
        notice=notice,
        bank_thresholds=_thresholds(services, explanation),
    )
    if vault is not None:
        view.evidence = vault.list(case.id)
        view.evidence_enabled = vault.enabled
    open_case = case.state in OPEN_STATES
    view.may_decide = open_case and user.may(Act.DECIDE)
    view.may_escalate = view.may_decide and not case.escalated
    view.may_appeal = case.state in DECIDED_STATES and user.may(Act.DECIDE)
    view.appellants = [Appellant.AFFECTED_USER] + (
        [Appellant.REPORTER] if case.notice_id is not None else []
    )
    view.own_decision = case.state is CaseState.APPEALED and same_person(user, case)
    view.may_decide_appeal = (
        case.state is CaseState.APPEALED and user.may(Act.DECIDE_APPEAL) and not view.own_decision
    )
    view.may_open_evidence = user.may(Act.OPEN_EVIDENCE)
    if open_case:
        view.statement = preview_statement(
            case,
            facts=facts,
            appeal_window_days=services.settings.appeal_window_days,
            now=now,
            trusted_flagger=trusted,
            rules=[r.rule for r in explanation.rules],
        )
    return view
