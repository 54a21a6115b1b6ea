"""The statement of reasons as the Transparency Database takes it, and as we keep it.

``TdbStatement`` has the database's field names and enum keys exactly; its JSON form
(``body``) is what ``POST /api/v1/statement`` takes, and one element of the
``statements`` list of ``POST /api/v1/statements``. The record types each field; the
rules between fields (what a ground requires, what ``*_OTHER`` requires, dates in
order, lengths, no personal data) are the validator's (``statements.validate``), so
the same checks run on what we built and on any file handed to us.

``Statement`` is what we keep: that body plus what the affected user must be told and
the database does not carry (Art. 17(3)(f): how to seek redress), and where it came
from (a case decided ``remove``, or an upload ``/v1/screen`` blocked).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from consentgate.cases.statements.tdb import (
    AccountType,
    AutomatedDecision,
    ContentType,
    DecisionAccount,
    DecisionGround,
    DecisionMonetary,
    DecisionProvision,
    DecisionVisibility,
    Keyword,
    SourceType,
    StatementCategory,
    YesNo,
)
from consentgate.records import Record


class TdbStatement(Record):
    """One statement of reasons in the Transparency Database's schema (regulation §b1)."""

    decision_visibility: tuple[DecisionVisibility, ...] | None = None
    decision_visibility_other: str | None = None
    end_date_visibility_restriction: date | None = None
    decision_monetary: DecisionMonetary | None = None
    decision_monetary_other: str | None = None
    end_date_monetary_restriction: date | None = None
    decision_provision: DecisionProvision | None = None
    end_date_service_restriction: date | None = None
    decision_account: DecisionAccount | None = None
    end_date_account_restriction: date | None = None
    account_type: AccountType | None = None
    decision_ground: DecisionGround
    decision_ground_reference_url: str | None = None
    illegal_content_legal_ground: str | None = None
    illegal_content_explanation: str | None = None
    incompatible_content_ground: str | None = None
    incompatible_content_explanation: str | None = None
    incompatible_content_illegal: YesNo | None = None
    content_type: tuple[ContentType, ...]
    content_type_other: str | None = None
    category: StatementCategory
    category_addition: tuple[StatementCategory, ...] | None = None
    category_specification: tuple[Keyword, ...] | None = None
    category_specification_other: str | None = None
    territorial_scope: tuple[str, ...]
    content_language: str | None = None
    content_date: date
    application_date: date
    content_id: dict[str, str] | None = None
    decision_facts: str
    source_type: SourceType
    source_identity: str | None = None
    automated_detection: YesNo
    automated_decision: AutomatedDecision
    puid: str

    def body(self) -> dict[str, Any]:
        """The JSON object the database takes (fields left unset are left out)."""
        return self.model_dump(mode="json", exclude_none=True)


class StatementSource(StrEnum):
    """What restricted the content."""

    CASE = "case"  # a case decided `remove`
    UPLOAD = "upload"  # an upload that /v1/screen blocked


class Harm(StrEnum):
    """What the content was restricted for, in our words (``statements.harms`` maps each to
    the database's category, keywords and ground)."""

    CHILD_SEXUAL_ABUSE = "child_sexual_abuse"
    INTIMATE_IMAGE_ABUSE = "intimate_image_abuse"
    SEXUAL_DEEPFAKE = "sexual_deepfake"
    ADULT_SEXUAL_CONTENT = "adult_sexual_content"
    OTHER = "other"


class Redress(Record):
    """How the affected user may contest the decision (DSA Art. 17(3)(f), Art. 20, 21)."""

    appeal_until: datetime = Field(description="the end of the internal complaint window")
    appeal_url: str | None = Field(None, description="where to file the complaint")
    how_to_appeal: str
    other_routes: str = Field(description="out-of-court dispute settlement and the courts")


class Statement(Record):
    """A statement of reasons as kept: the database's body plus redress and provenance."""

    id: str = Field(description="the statement's id, which is also its puid")
    created_at: datetime
    source: StatementSource
    harm: Harm
    case_id: str | None = None
    decision_id: str | None = Field(None, description="the screen's decision, for an upload")
    statement: TdbStatement
    redress: Redress
