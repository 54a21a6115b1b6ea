"""Child-safety reports made to an agency (NCMEC, the UK NCA): the reference each returned.

Why a table and not only the audit event: the law keeps two clocks per case
(S.I. 2026/268 reg 8: the NCA reference for five years, the content for one
year after the report; the US REPORT Act: the content for a year after the
CyberTipline report), and the list of escalations still waiting for a report
is a query over cases with no row here. The ``agency_reported`` event of the
audit chain records the same facts, so the row can be checked against it.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, SmallInteger, String, Table, UniqueConstraint

from consentgate.store.schema import metadata

TS = DateTime(timezone=True)

agency_reports = Table(
    "agency_reports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), nullable=False),
    Column("agency", String(10), nullable=False, doc="ncmec | nca"),
    Column("reference", String(100), nullable=False, doc="as the agency returned it"),
    Column("priority", SmallInteger, nullable=True, doc="NCA priority 1-3; NULL for NCMEC"),
    Column("reported_at", TS, nullable=False, doc="when the report reached the agency"),
    Column("recorded_at", TS, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("retain_until", TS, nullable=False, doc="kept at least until (5 years for the NCA)"),
    UniqueConstraint("agency", "reference", name="uq_agency_reports_agency_reference"),
    Index("ix_agency_reports_case_id", "case_id"),
    Index("ix_agency_reports_reported_at", "reported_at"),
)
