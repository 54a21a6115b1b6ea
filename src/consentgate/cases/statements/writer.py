"""Writes a statement of reasons in the transaction of every restriction (DSA Art. 17(2):
at the latest when the restriction is imposed).

Two restrictions write one:

- a case decided ``remove`` (the case hook, ``hook``): a crash leaves the decision, its
  removal webhook and its statement, or none of them. A case about an upload that was
  already blocked, and so already has its statement, writes no second one;
- an upload that ``/v1/screen`` blocks (``for_upload``, called by the service in the
  screen's transaction): content that never appears is restricted too. A refused
  generation or edit request is not: a prompt or a photo sent to be edited is not
  content a user shares, and the generated image never existed, so neither has a
  statement (the decision and its reasons are recorded as for every screen).

A reviewer's reason becomes part of ``decision_facts``, which the Transparency Database
publishes: a reason holding personal data (a name, an e-mail address, a phone number,
a handle) is refused with the field ``reason`` named, and the decision rolls back.

Each statement is also a ``statement_written`` event of the audit chain, in the same
transaction: who restricted (the decider, or ``automated`` for an upload), the
statement's id, what it is about, its category and ground, and the SHA-256 of its body
(``chain.canonical``), so a statement changed in the store after it was written no
longer matches the chain. The event's ``case_id`` stays empty and ``data.case_id``
names the case: a case's ``version`` counts the events that change it, and a statement
is written by the decision's hook, after the case row took its new version.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from sqlalchemy import Connection, select

from consentgate.audit import chain
from consentgate.cases.records import AUTOMATED, Action, Case, CaseEvent, CaseKind, EventKind
from consentgate.cases.service import CaseHook
from consentgate.cases.statements import store
from consentgate.cases.statements.build import Restriction, StatementConfig, build, upload_facts
from consentgate.cases.statements.harms import QUEUE_HARMS, harm_of_decision, notice_harm
from consentgate.cases.statements.personal import find_personal_data
from consentgate.cases.statements.records import Harm, Statement, StatementSource
from consentgate.cases.statements.tdb import AutomatedDecision, SourceType, StatementCategory
from consentgate.cases.statements.validate import validate
from consentgate.errors import BadInput
from consentgate.records import Decision, Mode, StatementRef, Verdict
from consentgate.store.cases_tables import notices
from consentgate.store.service_tables import decisions

log = logging.getLogger(__name__)

MAX_FACTS = 5000
AUTOMATED_KINDS = frozenset(
    {
        CaseKind.AUTOMATED_REVIEW,
        CaseKind.AUTOMATED_ESCALATION,
        CaseKind.RETRO_MATCH,
        CaseKind.BANK_ALERT,
    }
)
REPORTED = {
    CaseKind.DSA_NOTICE: "A notice under Article 16 DSA reported this content as illegal.",
    CaseKind.CHILD_SAFETY: "A notice reported this content as child sexual abuse material.",
    CaseKind.TAKE_IT_DOWN: "A removal request under the US TAKE IT DOWN Act reported this "
    "content as an intimate image shared without consent.",
    CaseKind.UK_INTIMATE_IMAGE: "A UK intimate image content report (Online Safety Act 2023, "
    "s.20A) reported this content as an intimate image shared without consent.",
    CaseKind.AUTOMATED_REVIEW: "Automated screening sent this content to human review.",
    CaseKind.AUTOMATED_ESCALATION: "Automated screening found signs of child sexual abuse "
    "material in this content and escalated it.",
    CaseKind.RETRO_MATCH: "Content screened earlier matched an entry added later to a hash list.",
    CaseKind.BANK_ALERT: "Repeated uploads matching a protected hash-list entry were flagged.",
}
SOURCES = {
    CaseKind.DSA_NOTICE: SourceType.ARTICLE_16,
    CaseKind.CHILD_SAFETY: SourceType.ARTICLE_16,  # Art. 16(2)(c): it may be anonymous
    CaseKind.TAKE_IT_DOWN: SourceType.OTHER_NOTIFICATION,  # US law, not an Art. 16 notice
    CaseKind.UK_INTIMATE_IMAGE: SourceType.OTHER_NOTIFICATION,  # UK law
}


def new_statement_id() -> str:
    """A puid: unique, never reused, letters, digits and '-' only."""
    return f"sor-{uuid.uuid4().hex}"


class StatementWriter:
    """Builds, checks and stores statements, each in the transaction of its restriction."""

    def __init__(self, config: StatementConfig) -> None:
        self.config = config

    # -- blocked uploads ---------------------------------------------------------
    def for_upload(self, conn: Connection, decision: Decision) -> Decision:
        """``decision``, with its statement when it blocks an upload (written in ``conn``)."""
        if decision.mode is not Mode.UPLOAD or decision.decision is not Verdict.BLOCK:
            return decision
        restriction = Restriction(
            statement_id=new_statement_id(),
            harm=harm_of_decision(decision),
            facts=upload_facts(decision),
            decided_at=decision.created,
            content_date=decision.created.date(),
            source_type=SourceType.VOLUNTARY,
            automated_detection=True,
            automated_decision=AutomatedDecision.FULLY,
        )
        statement = build(
            self.config, restriction, source=StatementSource.UPLOAD, decision_id=decision.id
        )
        self._store(conn, statement, actor=AUTOMATED)
        r = statement.redress
        ref = StatementRef(
            id=statement.id,
            automated=True,
            appeal_until=r.appeal_until,
            appeal_url=r.appeal_url,
            how_to_appeal=r.how_to_appeal,
            other_routes=r.other_routes,
        )
        return decision.model_copy(update={"statement": ref})

    # -- removals ----------------------------------------------------------------
    def hook(self) -> CaseHook:
        """The CaseHook that writes a removal's statement with its ``decided`` event."""

        def on_event(conn: Connection, case: Case, event: CaseEvent) -> None:
            if event.kind is EventKind.DECIDED and event.data.get("action") == Action.REMOVE.value:
                self.for_case(conn, case, event)

        return on_event

    def for_case(self, conn: Connection, case: Case, event: CaseEvent) -> Statement | None:
        """The statement of ``case``'s removal, or None when its upload already has one."""
        screened = _screened(conn, case.item.decision_id)
        if case.item.decision_id is not None and store.of_decision(conn, case.item.decision_id):
            return None
        notice = _notice(conn, case.notice_id)
        harm, category = _harm(conn, case, screened, notice)
        source = SOURCES.get(case.kind, SourceType.VOLUNTARY)
        if source is SourceType.ARTICLE_16 and notice.get("is_trusted_flagger"):
            source = SourceType.TRUSTED_FLAGGER
        detected = case.kind in AUTOMATED_KINDS
        if event.actor == AUTOMATED:
            automation = AutomatedDecision.FULLY
        else:
            automation = (
                AutomatedDecision.PARTIALLY if detected else AutomatedDecision.NOT_AUTOMATED
            )
        restriction = Restriction(
            statement_id=new_statement_id(),
            harm=harm,
            facts=_case_facts(case, event),
            decided_at=event.at,
            content_date=(screened.created if screened else case.received_at).date(),
            source_type=source,
            automated_detection=detected,
            automated_decision=automation,
            category=category,
        )
        statement = build(self.config, restriction, source=StatementSource.CASE, case_id=case.id)
        self._store(conn, statement, actor=event.actor)
        return statement

    def _store(self, conn: Connection, statement: Statement, *, actor: str) -> None:
        body = statement.statement.body()
        faults = validate(body)
        if faults:  # our own texts: a fault is a bug, so keep the statement and say so
            log.error("statement %s does not validate: %s", statement.id, faults[0])
        store.insert(conn, statement)
        about = {"case_id": statement.case_id} if statement.case_id else {}
        if statement.decision_id:
            about["decision_id"] = statement.decision_id
        chain.append(
            conn,
            at=statement.created_at,
            actor=actor,
            kind=EventKind.STATEMENT_WRITTEN,
            reason="statement of reasons written",
            data={
                "statement_id": statement.id,
                "source": statement.source.value,
                **about,
                "harm": statement.harm.value,
                "category": statement.statement.category.value,
                "decision_ground": statement.statement.decision_ground.value,
                "sha256": hashlib.sha256(chain.canonical(body)).hexdigest(),
            },
        )


def _case_facts(case: Case, event: CaseEvent) -> str:
    reported = REPORTED.get(case.kind, "This content was reported.")
    if event.actor == AUTOMATED:
        return f"{reported} It was removed by automated means."
    basis = " ".join(event.reason.split())
    found = find_personal_data(basis)
    if found is not None:
        raise BadInput(
            "the reason becomes the public statement of reasons (decision_facts) and must "
            f"not contain personal data: it contains {found.kind}; describe the facts "
            "without naming or contacting anyone",
            field="reason",
        )
    facts = f"{reported} A moderator reviewed it and decided to remove it. Basis: "
    room = MAX_FACTS - len(facts) - 1
    return facts + (basis if len(basis) <= room else basis[: room - 1] + "…") + "."


def _screened(conn: Connection, decision_id: str | None) -> Decision | None:
    if decision_id is None:
        return None
    row = conn.execute(select(decisions.c.record).where(decisions.c.id == decision_id)).first()
    return None if row is None else Decision.model_validate(row.record)


def _notice(conn: Connection, notice_id: str | None) -> dict[str, Any]:
    if notice_id is None:
        return {}
    row = conn.execute(select(notices.c.data).where(notices.c.id == notice_id)).first()
    return {} if row is None else dict(row.data)


def _harm(
    conn: Connection, case: Case, screened: Decision | None, notice: dict[str, Any]
) -> tuple[Harm, StatementCategory | None]:
    """The case's harm, and the category a DSA notice alleged when it names no harm of ours."""
    if case.escalated:
        return Harm.CHILD_SEXUAL_ABUSE, None
    if case.kind is CaseKind.RETRO_MATCH:
        received = next(chain.events(conn, case_id=case.id, batch=1), None)
        csam = received is not None and received.data.get("bank_kind") == "csam"
        return (Harm.CHILD_SEXUAL_ABUSE if csam else Harm.INTIMATE_IMAGE_ABUSE), None
    if case.queue in QUEUE_HARMS:
        return QUEUE_HARMS[case.queue], None
    if case.kind is CaseKind.DSA_NOTICE:
        return notice_harm(notice.get("alleged_category"))
    if screened is not None:
        return harm_of_decision(screened), None
    return Harm.OTHER, None
