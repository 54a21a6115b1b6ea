"""Reads what a child-safety report needs about one case: the case, the notice or the screen
behind it, the images by their hashes, the evidence kept, and the reports already made.

Only a case of the child-safety queue (a child-safety notice or an automated R1
escalation), or one escalated later, can be reported; any other is a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from consentgate.cases.records import Case, EventKind, Queue
from consentgate.errors import Conflict
from consentgate.escalations.records import AgencyReport, EscalationFacts, ReportedFile
from consentgate.records import Mode, Target
from consentgate.store.agency_tables import agency_reports
from consentgate.store.cases_tables import audit_events, case_evidence, notices
from consentgate.store.service_tables import decisions


def utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def reportable(case: Case) -> None:
    """Refuse a case that is not about a child's safety (409)."""
    if case.queue is not Queue.CHILD_SAFETY and not case.escalated:
        raise Conflict(
            f"case {case.id} is not a child-safety case ({case.kind.value}): only child-safety "
            "notices and escalations are reported to NCMEC or the NCA"
        )


def read_facts(conn: Connection, case: Case) -> EscalationFacts:
    """The facts of ``case`` (read in ``conn``'s transaction); 409 unless it is reportable."""
    reportable(case)
    case_id = case.id
    notice = _notice(conn, case.notice_id)
    decision = _decision(conn, case.item.decision_id)
    evidence = conn.execute(
        select(
            case_evidence.c.id,
            case_evidence.c.sha256,
            case_evidence.c.media_type,
            case_evidence.c.retain_until,
            case_evidence.c.purged_at,
        )
        .where(case_evidence.c.case_id == case_id)
        .order_by(case_evidence.c.kept_at, case_evidence.c.id)
    ).all()
    viewed = conn.execute(
        select(audit_events.c.seq)
        .where(
            audit_events.c.case_id == case_id,
            audit_events.c.kind == EventKind.EVIDENCE_VIEWED.value,
        )
        .limit(1)
    ).first()
    mode = decision["mode"] if decision else None
    if decision:
        images = [_screened(h, mode) for h in decision["image_hashes"]]
    elif case.item.md5:
        images = [ReportedFile(target="reported", md5=case.item.md5, pdq=case.item.pdq)]
    else:
        images = []
    return EscalationFacts(
        case=case,
        received_at=case.received_at,
        notice_kind=notice.get("kind"),
        threat_to_life=bool(notice.get("threat_to_life", False)),
        mode=mode,
        rules=tuple(decision["rules"]) if decision else (),
        decision_id=case.item.decision_id,
        request_id=decision["request_id"] if decision else None,
        files=tuple(_with_evidence(images, evidence)),
        viewed_by_staff=viewed is not None,
        reports=tuple(reports_of(conn, case_id)),
    )


def reports_of(conn: Connection, case_id: str) -> list[AgencyReport]:
    rows = conn.execute(
        select(agency_reports)
        .where(agency_reports.c.case_id == case_id)
        .order_by(agency_reports.c.reported_at, agency_reports.c.id)
    ).all()
    return [report_of(row) for row in rows]


def report_of(row: Any) -> AgencyReport:
    return AgencyReport(
        id=row.id,
        case_id=row.case_id,
        agency=row.agency,
        reference=row.reference,
        priority=row.priority,
        reported_at=utc(row.reported_at),
        recorded_at=utc(row.recorded_at),
        recorded_by=row.recorded_by,
        retain_until=utc(row.retain_until),
    )


def _notice(conn: Connection, notice_id: str | None) -> dict[str, Any]:
    if notice_id is None:
        return {}
    row = conn.execute(select(notices.c.kind, notices.c.data).where(notices.c.id == notice_id))
    found = row.first()
    return {} if found is None else {"kind": found.kind} | dict(found.data)


def _decision(conn: Connection, decision_id: str | None) -> dict[str, Any] | None:
    if decision_id is None:
        return None
    row = conn.execute(
        select(
            decisions.c.mode,
            decisions.c.rules,
            decisions.c.request_id,
            decisions.c.image_hashes,
        ).where(decisions.c.id == decision_id)
    ).first()
    return None if row is None else dict(row._mapping)


def _screened(hashes: dict[str, Any], mode: str | None) -> ReportedFile:
    target = hashes.get("target", "reported")
    made = target == Target.OUTPUT_IMAGE.value and mode in (Mode.GENERATE.value, Mode.EDIT.value)
    return ReportedFile(
        target=target,
        md5=hashes.get("md5"),
        sha256=hashes.get("sha256"),
        pdq=hashes.get("pdq"),
        generated=made,
    )


def _with_evidence(images: list[ReportedFile], evidence: Sequence[Any]) -> list[ReportedFile]:
    """Each image with its sealed copy (matched by SHA-256; a notice's single image takes the
    single item kept), and any sealed item no image matched as a file of its own."""
    files = list(images)
    unmatched = []
    for row in evidence:
        if row.purged_at is not None:
            continue
        kept = {"evidence_id": row.id, "media_type": row.media_type,
                "kept_until": utc(row.retain_until), "sha256": row.sha256}  # fmt: skip
        at = next((n for n, f in enumerate(files) if f.sha256 == row.sha256), None)
        if at is None and len(images) == 1 and len(evidence) == 1 and images[0].sha256 is None:
            at = 0
        if at is None:
            unmatched.append(ReportedFile(target="reported", **kept))
        else:
            files[at] = files[at].model_copy(update=kept)
    return files + unmatched
