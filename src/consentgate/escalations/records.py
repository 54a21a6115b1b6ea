"""The vocabulary of child-safety reports: agencies, formats, priorities, and what a case holds.

Why priorities: the UK regulations (S.I. 2026/268, regulation rows CS-3) rank a
report 1 when a child's life or safety is at immediate risk (report
immediately), 2 otherwise for child sexual abuse material (as soon as
reasonably practicable), 3 for the rest (without undue delay). A case whose
notice reports a threat to life is priority 1; every other escalation is 2; an
operator may say otherwise when exporting.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from pydantic import Field

from consentgate.cases.records import Case
from consentgate.records import Record

NCA_RETENTION_YEARS = 5
"""S.I. 2026/268 reg 8(1)(a): the NCA's reference is kept for five years (CS-4)."""


class Agency(StrEnum):
    NCMEC = "ncmec"  # US: the CyberTipline (18 USC 2258A)
    NCA = "nca"  # UK: the National Crime Agency (OSA s.66, S.I. 2026/268)

    @property
    def display(self) -> str:
        return self.value.upper()


class ExportFormat(StrEnum):
    NCMEC_XML = "ncmec-xml"
    NCA_JSON = "nca-json"

    @property
    def agency(self) -> Agency:
        return Agency.NCMEC if self is ExportFormat.NCMEC_XML else Agency.NCA

    @property
    def media_type(self) -> str:
        return "application/xml" if self is ExportFormat.NCMEC_XML else "application/json"

    @property
    def suffix(self) -> str:
        return ".xml" if self is ExportFormat.NCMEC_XML else ".json"


class Priority(IntEnum):
    """The NCA's priority levels (S.I. 2026/268 Schedule 1)."""

    IMMEDIATE = 1  # a child's life or safety at immediate risk: report immediately
    AS_SOON_AS_PRACTICABLE = 2  # child sexual abuse material: as soon as reasonably practicable
    WITHOUT_UNDUE_DELAY = 3  # anything else: without undue delay

    @property
    def meaning(self) -> str:
        return {
            1: "immediately: a child's life or safety is at immediate risk",
            2: "as soon as reasonably practicable",
            3: "without undue delay",
        }[self.value]


class AgencyReport(Record):
    """A report an agency received, and the reference it returned (kept on the case)."""

    id: str
    case_id: str
    agency: Agency
    reference: str
    priority: Priority | None = Field(None, description="the NCA priority it was sent with")
    reported_at: datetime = Field(description="when the agency received it")
    recorded_at: datetime
    recorded_by: str
    retain_until: datetime = Field(description="the reference is kept at least until then")


class ReportedFile(Record):
    """One image of the case, by its hashes (and, once opened, its evidence bytes)."""

    target: str = Field(description="source_image, output_image, or reported (a notice's)")
    md5: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    generated: bool = Field(False, description="an image the service's generator made")
    evidence_id: str | None = Field(None, description="its sealed copy, when one is kept")
    media_type: str | None = None
    kept_until: datetime | None = None


class EscalationFacts(Record):
    """Everything a child-safety report says about a case, read from the store."""

    case: Case
    received_at: datetime
    notice_kind: str | None = None
    threat_to_life: bool = False
    mode: str | None = Field(None, description="the screen's mode: generate, edit or upload")
    rules: tuple[str, ...] = ()
    decision_id: str | None = None
    request_id: str | None = Field(None, description="the platform's own id of the screen")
    files: tuple[ReportedFile, ...] = ()
    viewed_by_staff: bool = Field(False, description="a person opened the sealed evidence")
    reports: tuple[AgencyReport, ...] = ()

    @property
    def priority(self) -> Priority:
        return Priority.IMMEDIATE if self.threat_to_life else Priority.AS_SOON_AS_PRACTICABLE

    def reference(self, agency: Agency) -> str | None:
        """The latest reference this agency returned for the case, if any."""
        found = [r for r in self.reports if r.agency is agency]
        return max(found, key=lambda r: r.reported_at).reference if found else None


class Reporter(Record):
    """Who files the report (from settings): NCMEC requires an e-mail address."""

    first_name: str | None = None
    last_name: str | None = None
    email: str
    phone: str | None = None
    provider: str | None = Field(None, description="the platform's name")

    @property
    def name(self) -> str | None:
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return joined or None
