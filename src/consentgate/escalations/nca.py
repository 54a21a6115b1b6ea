"""A report to the UK National Crime Agency with the fields of S.I. 2026/268, Schedule 1.

The NCA publishes no machine format for these reports (its portal asks for the
Schedule's fields), so the export is JSON under the Schedule's own headings:
the reporting person, the content and how it was detected, the upload, the
account, the declaration and the priority. A field ConsentGate does not hold
(the uploader's account, IP address, EXIF) is ``null``, never left out, so the
person filing sees at a glance what the platform must add from its own records.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from consentgate.escalations.records import (
    Agency,
    EscalationFacts,
    Priority,
    ReportedFile,
    Reporter,
)
from consentgate.records import Mode, Record

DECLARATION = (
    "The information in this report is true to the best of the reporting person's knowledge."
)


class ReportingPerson(Record):
    name: str | None
    email: str
    telephone: str | None


class PreviousReport(Record):
    agency: Agency
    reference: str
    reported_at: datetime


class Content(Record):
    description: str
    detection_method: str
    detected_at: datetime
    platform: str | None
    previous_reports: list[PreviousReport] = Field(
        description="reports already made about this case (an earlier NCA reference, NCMEC's)"
    )


class FileHashes(Record):
    target: str
    md5: str | None
    sha256: str | None
    pdq: str | None
    generated_by_ai: bool
    evidence_kept_until: datetime | None


class Upload(Record):
    upload_time: datetime | None
    ip_address: None = None
    port: None = None
    exif: None = None
    content_url: str | None
    original_file_hashes: list[FileHashes]


class Account(Record):
    """Schedule 1's account fields: ConsentGate holds none of them (the platform does)."""

    username: None = None
    billing_details: None = None
    email: None = None
    recovery_email: None = None
    telephone: None = None
    telephone_verified_at: None = None
    profile_url: None = None
    login_ip_addresses: None = None
    connections_with_other_accounts: None = None
    identity_documents: None = None


class PriorityLevel(Record):
    level: Priority
    meaning: str


class EvidenceFile(Record):
    evidence_id: str
    media_type: str
    sha256: str | None
    data_base64: str


class NcaReport(Record):
    format: str = "consentgate-nca-csea-report/1"
    regulation: str = "S.I. 2026/268, Schedule 1"
    case_id: str
    generated_at: datetime
    priority: PriorityLevel
    reporting_person: ReportingPerson
    content: Content
    upload: Upload
    account: Account
    declaration: str = DECLARATION
    evidence: list[EvidenceFile] = Field(
        default_factory=list, description="the images themselves, only with include_evidence"
    )


def render(
    facts: EscalationFacts,
    reporter: Reporter,
    priority: Priority,
    *,
    generated_at: datetime,
    contents: Mapping[str, bytes] | None = None,
) -> bytes:
    report = NcaReport(
        case_id=facts.case.id,
        generated_at=generated_at,
        priority=PriorityLevel(level=priority, meaning=priority.meaning),
        reporting_person=ReportingPerson(
            name=reporter.name, email=reporter.email, telephone=reporter.phone
        ),
        content=Content(
            description=_description(facts),
            detection_method=_detection(facts),
            detected_at=facts.received_at,
            platform=reporter.provider,
            previous_reports=[
                PreviousReport(agency=r.agency, reference=r.reference, reported_at=r.reported_at)
                for r in facts.reports
            ],
        ),
        upload=Upload(
            upload_time=facts.received_at if facts.mode == Mode.UPLOAD.value else None,
            content_url=facts.case.item.url,
            original_file_hashes=[_hashes(f) for f in facts.files],
        ),
        account=Account(),
        evidence=[
            EvidenceFile(
                evidence_id=f.evidence_id,
                media_type=f.media_type or "application/octet-stream",
                sha256=f.sha256,
                data_base64=base64.b64encode(data).decode("ascii"),
            )
            for f in facts.files
            if f.evidence_id and (data := (contents or {}).get(f.evidence_id)) is not None
        ],
    )
    return report.model_dump_json(indent=2).encode("utf-8") + b"\n"


def _hashes(file: ReportedFile) -> FileHashes:
    return FileHashes(
        target=file.target, md5=file.md5, sha256=file.sha256, pdq=file.pdq,
        generated_by_ai=file.generated, evidence_kept_until=file.kept_until,
    )  # fmt: skip


def _description(facts: EscalationFacts) -> str:
    if facts.mode == Mode.UPLOAD.value:
        return "apparent child sexual abuse material uploaded and blocked before publication"
    if facts.mode is not None:
        return (
            f"a request to the service's image tool ({facts.mode}) for apparent child sexual "
            "abuse material, blocked before delivery"
        )
    return "apparent child sexual abuse material reported to the service in a notice"


def _detection(facts: EscalationFacts) -> str:
    if facts.mode is not None:
        rules = ", ".join(facts.rules) or "none"
        return f"automated screening (policy rules {rules}: hash matching and classifiers)"
    return f"a notice from a member of the public ({facts.notice_kind or 'notice'})"
