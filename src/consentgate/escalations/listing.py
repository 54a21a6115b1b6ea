"""The child-safety cases and where each stands with the agencies: reported, or awaiting a report.

A case awaits a report until an agency's reference is recorded for it, unless
its decision is that no action was due (then no report is due either: the
decision's reason says why). Cases whose notice reports a threat to life
(priority 1) come first, then the oldest.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from sqlalchemy import Boolean, and_, exists, false, func, not_, or_, select

from consentgate.cases.records import Case, CaseState, Queue
from consentgate.escalations.facts import report_of, utc
from consentgate.escalations.records import AgencyReport, Priority
from consentgate.records import Record
from consentgate.store.agency_tables import agency_reports
from consentgate.store.cases_tables import cases, notices
from consentgate.store.database import Database


class EscalationStatus(Record):
    case_id: str
    kind: str
    state: CaseState
    received_at: datetime
    priority: Priority = Field(description="1 when the notice reports a threat to life, else 2")
    reports: list[AgencyReport]
    awaiting_report: bool


def list_escalations(
    db: Database, *, due_only: bool = False, limit: int = 100
) -> list[EscalationStatus]:
    record = cases.c.record
    threat = func.coalesce(notices.c.data["threat_to_life"].as_boolean(), false(), type_=Boolean)
    action, state = record["action"].as_string(), cases.c.state
    no_report_due = func.coalesce(
        or_(
            and_(action == "no_action", state != CaseState.REVERSED.value),
            and_(action == "remove", state == CaseState.REVERSED.value),
        ),
        false(),
        type_=Boolean,
    )
    reported = exists().where(agency_reports.c.case_id == cases.c.id)
    query = (
        select(record, threat, not_(reported) & not_(no_report_due))
        .select_from(cases.outerjoin(notices, notices.c.id == cases.c.notice_id))
        .where(cases.c.queue == Queue.CHILD_SAFETY.value)  # where every escalation is
        .order_by(threat.desc(), cases.c.received_at, cases.c.id)
        .limit(limit)
    )
    if due_only:
        query = query.where(not_(reported), not_(no_report_due))
    with db.read() as conn:
        rows = conn.execute(query).all()
        found: dict[str, list[AgencyReport]] = {}
        ids = [Case.model_validate(r[0]).id for r in rows]
        for row in conn.execute(
            select(agency_reports)
            .where(agency_reports.c.case_id.in_(ids))
            .order_by(agency_reports.c.reported_at)
        ):
            found.setdefault(row.case_id, []).append(report_of(row))
    listed = []
    for raw, is_threat, awaiting in rows:
        case = Case.model_validate(raw)
        listed.append(
            EscalationStatus(
                case_id=case.id,
                kind=case.kind.value,
                state=case.state,
                received_at=utc(case.received_at),
                priority=Priority.IMMEDIATE if is_threat else Priority.AS_SOON_AS_PRACTICABLE,
                reports=found.get(case.id, []),
                awaiting_report=bool(awaiting),
            )
        )
    return listed
