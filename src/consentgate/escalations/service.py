"""Exports child-safety reports and keeps the references agencies return, each an audit event.

An export writes a ``report_exported`` event (who, which format, whether the
images were inside, the SHA-256 of what was handed over) in the transaction
that builds it, after ``deliver`` has put it where it goes: a failed write
records nothing. The images go inside only when asked (``include_evidence``),
by a user whose role may open evidence; each one opened is an
``evidence_viewed`` event of that same transaction (CS-5).

Recording an agency's reference (``agency_reported``) keeps it for five years
(S.I. 2026/268 reg 8(1)(a), CS-4) and extends the case's sealed evidence to a
year after the report at least (reg 8(1)(b); the US REPORT Act, CS-2): evidence
kept a year from when it was sealed could otherwise be purged before a year has
passed since the report.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from consentgate.cases.evidence import EvidenceUnreadable, EvidenceVault
from consentgate.cases.records import EventKind
from consentgate.cases.service import CaseService
from consentgate.errors import BadInput, ConfigError, Conflict, NotFound
from consentgate.escalations import nca, ncmec
from consentgate.escalations.facts import read_facts, report_of, reportable
from consentgate.escalations.records import (
    NCA_RETENTION_YEARS,
    Agency,
    AgencyReport,
    EscalationFacts,
    ExportFormat,
    Priority,
    Reporter,
)
from consentgate.people import Act, Actor, actor_name, require
from consentgate.settings import Settings
from consentgate.store.agency_tables import agency_reports
from consentgate.store.cases_tables import case_evidence
from consentgate.store.database import Database

REFERENCE_PATTERNS = {
    Agency.NCMEC: re.compile(r"^[1-9][0-9]{0,17}$"),  # a CyberTipline report id (an xs:long)
    Agency.NCA: re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$"),
}


class ReporterMissing(ConfigError):
    """No reporting person is configured: a report cannot name who files it.

    409 over HTTP (the service is not set up for this yet; the caller's request
    was sound), exit 2 on the CLI like every configuration error.
    """

    http_status = 409
    title = "Reporter not configured"


def years_after(at: datetime, years: int) -> datetime:
    """The same instant ``years`` later (29 February becomes 28 February)."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:
        return at.replace(year=at.year + years, day=28)


class EscalationService:
    def __init__(
        self, db: Database, cases: CaseService, vault: EvidenceVault | None, settings: Settings
    ) -> None:
        self.db = db
        self.cases = cases
        self.vault = vault
        self.settings = settings

    def reporter(self) -> Reporter:
        """Who files reports (settings); ConfigError (exit 2) without an e-mail address."""
        s = self.settings
        if not s.reporter_email:
            raise ReporterMissing(
                "set CONSENTGATE_REPORTER_EMAIL (and the reporter's name and telephone): a "
                "child-safety report names the person who files it"
            )
        return Reporter(
            first_name=s.reporter_first_name, last_name=s.reporter_last_name,
            email=s.reporter_email, phone=s.reporter_phone, provider=s.provider_name,
        )  # fmt: skip

    def facts(self, case_id: str) -> EscalationFacts:
        with self.db.read() as conn:
            return read_facts(conn, self.cases.get_in(conn, case_id))

    def export(
        self,
        case_id: str,
        form: ExportFormat,
        *,
        actor: Actor,
        include_evidence: bool = False,
        priority: Priority | None = None,
        deliver: Callable[[bytes], None] | None = None,
    ) -> bytes:
        """The report for ``form``'s agency; an audit event records that it was handed over."""
        require(actor, Act.REPORT_CHILD_SAFETY)
        if include_evidence:
            require(actor, Act.OPEN_EVIDENCE)
        reporter = self.reporter()
        try:
            with self.db.write() as conn:
                return self._export(
                    conn, case_id, form, actor, include_evidence, priority, reporter, deliver
                )
        except EvidenceUnreadable as exc:
            assert self.vault is not None
            self.vault.open_failed(
                exc.evidence_id,
                exc.case_id,
                why=exc.why,
                actor=actor,
                reason=f"{form.value} export",
            )
            raise

    def _export(
        self,
        conn: Connection,
        case_id: str,
        form: ExportFormat,
        actor: Actor,
        include_evidence: bool,
        priority: Priority | None,
        reporter: Reporter,
        deliver: Callable[[bytes], None] | None,
    ) -> bytes:
        facts = read_facts(conn, self.cases.get_in(conn, case_id))
        level = priority or facts.priority
        contents: dict[str, bytes] = {}
        if include_evidence:
            kept = [f.evidence_id for f in facts.files if f.evidence_id]
            if not kept or self.vault is None:
                raise BadInput(
                    f"case {case_id} has no sealed evidence to include", field="include_evidence"
                )
            for evidence_id in kept:
                _, contents[evidence_id] = self.vault.open_in(
                    conn, evidence_id, actor=actor, reason=f"{form.value} export of the case"
                )
        render = ncmec.render if form is ExportFormat.NCMEC_XML else nca.render
        body = render(facts, reporter, level, generated_at=self.cases.clock(), contents=contents)
        if deliver is not None:
            deliver(body)
        self.cases.record(
            case_id,
            EventKind.REPORT_EXPORTED,
            actor=actor,
            reason=f"{form.agency.value} report exported",
            data={
                "format": form.value,
                "include_evidence": include_evidence,
                "evidence_ids": sorted(contents),
                "priority": int(level),
                "sha256": hashlib.sha256(body).hexdigest(),
            },
            conn=conn,
        )
        return body

    def record_reference(
        self,
        case_id: str,
        agency: Agency,
        reference: str,
        *,
        actor: Actor,
        priority: Priority | None = None,
        reported_at: datetime | None = None,
    ) -> AgencyReport:
        """Keep the reference ``agency`` returned for its report on ``case_id``."""
        require(actor, Act.REPORT_CHILD_SAFETY)
        reference = reference.strip()
        if not REFERENCE_PATTERNS[agency].match(reference):
            shape = "digits" if agency is Agency.NCMEC else "letters, digits and . _ / -"
            raise BadInput(f"not an {agency.display} reference ({shape})", field="reference")
        if agency is Agency.NCMEC and priority is not None:
            raise BadInput("priorities are the NCA's; NCMEC reports have none", field="priority")
        now = self.cases.clock()
        at = reported_at or now
        if at.tzinfo is None:  # as everywhere in the store, a naive instant is UTC
            at = at.replace(tzinfo=UTC)
        if at > now + timedelta(minutes=5):
            raise BadInput("a report cannot have reached the agency in the future", field="at")
        with self.db.write() as conn:
            case = self.cases.get_in(conn, case_id)
            reportable(case)
            if at < case.received_at:
                raise BadInput("the report cannot precede the case", field="at")
            taken = conn.execute(
                select(agency_reports.c.case_id).where(
                    agency_reports.c.agency == agency.value,
                    agency_reports.c.reference == reference,
                )
            ).first()
            if taken is not None:
                raise Conflict(
                    f"{agency.display} reference {reference} is already recorded "
                    f"(case {taken.case_id})"
                )
            level = None
            if agency is Agency.NCA:
                level = priority or read_facts(conn, case).priority
            retain_until = years_after(at, NCA_RETENTION_YEARS)
            row: dict[str, object] = {
                "id": uuid.uuid4().hex, "case_id": case_id, "agency": agency.value,
                "reference": reference, "priority": None if level is None else int(level),
                "reported_at": at, "recorded_at": now, "recorded_by": actor_name(actor),
                "retain_until": retain_until,
            }  # fmt: skip
            try:
                with conn.begin_nested():  # a twin recorded at the same moment: 409, not 500
                    conn.execute(insert(agency_reports).values(**row))
            except IntegrityError:
                raise Conflict(
                    f"{agency.display} reference {reference} is already recorded"
                ) from None
            kept_until = at + timedelta(days=self.settings.evidence_retention_days)
            extended = conn.execute(
                update(case_evidence)
                .where(
                    and_(
                        case_evidence.c.case_id == case_id,
                        case_evidence.c.retain_until < kept_until,
                        case_evidence.c.purged_at.is_(None),
                    )
                )
                .values(retain_until=kept_until)
            ).rowcount
            self.cases.record(
                case_id,
                EventKind.AGENCY_REPORTED,
                actor=actor,
                reason=f"reported to {agency.value}",
                data={
                    "agency": agency.value, "reference": reference, "priority": row["priority"],
                    "reported_at": at.isoformat(), "retain_until": retain_until.isoformat(),
                    "evidence_extended": extended, "evidence_kept_until": kept_until.isoformat(),
                },
                conn=conn,
            )  # fmt: skip
            return report_of(conn.execute(
                select(agency_reports).where(agency_reports.c.id == row["id"])
            ).one())  # fmt: skip

    def report(self, report_id: str) -> AgencyReport:
        with self.db.read() as conn:
            row = conn.execute(
                select(agency_reports).where(agency_reports.c.id == report_id)
            ).first()
        if row is None:
            raise NotFound(f"no agency report {report_id!r}")
        return report_of(row)
