"""The transparency report as data: what the JSON export holds, and what the CSV and HTML show.

Every count covers the report's period: notices and cases by when they were
received, decisions by when they were made, appeals by when they were filed
(with the outcome known by the period's end), screens by when they were made.
Times are seconds. ``None`` means "nothing to measure" (no decision, no appeal).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from consentgate.records import Record
from consentgate.reports.categories import Basis
from consentgate.reports.period import Period


class Percentiles(Record):
    """Nearest-rank percentiles of a duration, in seconds."""

    count: int = Field(description="how many durations were measured")
    p50_s: float | None = Field(None, description="the median")
    p90_s: float | None = None


NONE_MEASURED = Percentiles(count=0)


class ScreenCounts(Record):
    """Screens (``/v1/screen``, ``consentgate screen``) made in the period."""

    total: int
    by_verdict: dict[str, int] = Field(description="allow, review, block")
    by_mode: dict[str, dict[str, int]] = Field(description="mode → verdict → count")
    escalations: int = Field(description="screens escalated as child safety (R1)")
    uploads_blocked: int = Field(description="uploads that never appeared: restrictions")
    requests_refused: int = Field(
        description="generation and edit requests blocked: no user content existed yet"
    )


class QueueTiming(Record):
    """One queue: its deadline, how fast its cases were decided, and the deadlines missed."""

    queue: str
    deadline_h: float
    received: int = Field(description="cases opened in the period")
    decided: int = Field(description="cases decided in the period")
    time_to_decision: Percentiles
    decided_late: int = Field(description="decided in the period, after their deadline")
    open_breached: int = Field(description="undecided at the period's end, past their deadline")


class CaseDecisions(Record):
    """Decisions on cases made in the period."""

    total: int
    remove: int
    no_action: int
    automated: int = Field(description="decided by automated means, without a person")
    human: int = Field(description="decided by a person")
    time_to_decision: Percentiles
    queues: list[QueueTiming]


class NoticeRow(Record):
    """One category (or keyword) of template part 4; ``category`` TOTAL sums them all.

    Notices count under the category their statement would say; actions under the one
    their statement of reasons says, on the law or the terms by its ground."""

    category: str
    keyword: str | None = None
    notices: int = 0
    notices_trusted: int = 0
    items: int = 0
    items_trusted: int = 0
    actions: int = Field(
        0, description="restrictions on the basis of the law (statements of illegal content)"
    )
    actions_trusted: int = 0
    actions_terms: int = Field(
        0, description="restrictions on the basis of the terms (statements of incompatible content)"
    )
    actions_terms_trusted: int = 0
    median_s: float | None = Field(None, description="median time from receipt to decision")
    median_trusted_s: float | None = None


class NoticeCounts(Record):
    received: int
    items: int
    by_kind: dict[str, int]
    by_notifier: dict[str, int] = Field(description="trusted_flagger, identified, anonymous")
    rows: list[NoticeRow]


class MeasureRow(Record):
    """One category of template part 5 (illegal content) or 6 (terms): own-initiative measures."""

    basis: Basis
    category: str
    keyword: str | None = None
    measures: int = Field(0, description="statements of reasons of own-initiative restrictions")
    automated_detection: int = Field(0, description="after detection by solely automated means")
    removals: int = Field(0, description="visibility restriction: removal")
    visibility: dict[str, int] = Field(
        default_factory=dict, description="decision_visibility → measures restricted so"
    )


class AppealType(Record):
    """Complaints of one type (template part 7) filed in the period."""

    type: str = Field(description="removal, no_action_notice or no_action_trusted_flagger")
    filed: int = 0
    upheld: int = 0
    reversed: int = 0
    pending: int = Field(0, description="not decided by the period's end")
    time_to_decision: Percentiles = NONE_MEASURED


class AppealCounts(Record):
    filed: int
    by_appellant: dict[str, int]
    upheld: int
    reversed: int
    pending: int
    new_restrictions: int = Field(description="removals after a complaint reversed a no-action")
    time_to_decision: Percentiles
    types: list[AppealType]


class Automation(Record):
    """Template part 8: measures and notices by automated means or by a person."""

    measures_automated: int = Field(description="blocked uploads and automated removals")
    measures_human: int
    own_initiative_automated: int
    own_initiative_human: int
    notices_automated: int = Field(description="notice items decided by automated means")
    notices_human: int
    notices_trusted_automated: int
    notices_trusted_human: int


class BankSize(Record):
    name: str
    kind: str
    entries: int = Field(description="active entries at the time of the report")


class ChildSafety(Record):
    escalations: int = Field(description="child-safety cases opened in the period")
    reported: dict[str, int] = Field(description="agency → reports recorded in the period")
    awaiting_report: int = Field(
        description="child-safety cases, opened before the period's end, with no agency "
        "reference and not decided 'no action'"
    )


class SeriesPoint(Record):
    at: str = Field(description="the day (YYYY-MM-DD) or month (YYYY-MM), UTC")
    screens: dict[str, int] = Field(description="verdict → count")
    cases_received: int = 0
    cases_decided: int = 0


class Series(Record):
    unit: str = Field(description="day or month")
    points: list[SeriesPoint]


class TransparencyReport(Record):
    """Everything a transparency report says, from the store, for one period."""

    provider: str | None = Field(None, description="CONSENTGATE_PROVIDER_NAME")
    period: Period
    generated_at: datetime
    screens: ScreenCounts
    decisions: CaseDecisions
    notices: NoticeCounts
    own_initiative: list[MeasureRow]
    appeals: AppealCounts
    automation: Automation
    banks: list[BankSize]
    child_safety: ChildSafety
    series: Series
