"""The statement of reasons a removal will produce, previewed on the case page.

Why a preview: a reviewer should read what the affected person (and the EU
Transparency Database) will be told before deciding, so that the reason they
type is specific and free of personal data (DSA Art. 17(3), Art. 24(5)). The
fields use the Transparency Database's names and values
(``decision_visibility``, ``decision_ground``, ``category``, ...).

This builds the preview from the case's own fields; the statements module
(``consentgate.cases`` statements of reasons, DSA Art. 17) is the one that
issues them, and this function is the one place to switch to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from consentgate.cases.records import Case, CaseKind, Queue
from consentgate.records import Record

NOTICE_KINDS = frozenset(
    {CaseKind.DSA_NOTICE, CaseKind.TAKE_IT_DOWN, CaseKind.UK_INTIMATE_IMAGE, CaseKind.CHILD_SAFETY}
)
AUTOMATED_KINDS = frozenset(
    {
        CaseKind.AUTOMATED_REVIEW,
        CaseKind.AUTOMATED_ESCALATION,
        CaseKind.RETRO_MATCH,
        CaseKind.BANK_ALERT,
    }
)

REAL_PERSON_RULES = frozenset({"R3", "R4", "R5"})
"""Rules about sexualised images of a real person: the deepfake keyword applies."""

_LEGAL_GROUND = {
    Queue.CHILD_SAFETY: "child sexual abuse material (Directive 2011/93/EU Arts 3-7; "
    "18 USC 2258A; Online Safety Act 2023 s.10)",
    Queue.INTIMATE_IMAGES: "intimate image shared without consent (Online Safety Act 2023 "
    "s.66B; 47 USC 223a TAKE IT DOWN Act)",
}
_CATEGORY = {
    Queue.CHILD_SAFETY: (
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    ),
    Queue.INTIMATE_IMAGES: (
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    ),
}


class StatementPreview(Record):
    """The fields a removal's statement of reasons will carry (Transparency Database names)."""

    decision_visibility: str = "DECISION_VISIBILITY_CONTENT_REMOVED"
    decision_ground: str
    legal_or_contractual_ground: str
    category: str
    category_specification: str | None = None
    content_type: str
    source_type: str
    automated_detection: str
    automated_decision: str
    decision_facts: str
    redress: str


def preview_statement(
    case: Case,
    *,
    facts: str,
    appeal_window_days: int,
    now: datetime,
    trusted_flagger: bool = False,
    rules: Sequence[str] = (),
) -> StatementPreview:
    """The statement a decision to remove ``case`` (made now, by a person) would produce.

    ``facts`` is the reason the reviewer gives (or a placeholder until they do);
    ``rules`` the policy rules of the screen behind it, if one opened the case.
    """
    illegal = case.queue in _LEGAL_GROUND
    category, keyword = _CATEGORY.get(
        case.queue,
        ("STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", None)
        if case.kind in NOTICE_KINDS
        else ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", None),
    )
    if keyword is None and REAL_PERSON_RULES.intersection(rules):
        keyword = "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"
    if case.kind is CaseKind.DSA_NOTICE:
        source = "SOURCE_TRUSTED_FLAGGER" if trusted_flagger else "SOURCE_ARTICLE_16"
    elif case.kind in NOTICE_KINDS:
        source = "SOURCE_TYPE_OTHER_NOTIFICATION"
    else:
        source = "SOURCE_VOLUNTARY"
    detected = case.kind in AUTOMATED_KINDS
    until = (now + timedelta(days=appeal_window_days)).strftime("%Y-%m-%d")
    return StatementPreview(
        decision_ground="DECISION_GROUND_ILLEGAL_CONTENT"
        if illegal
        else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        legal_or_contractual_ground=_LEGAL_GROUND.get(
            case.queue, "the service's terms: sexualised images of real people without consent"
        ),
        category=category,
        category_specification=keyword,
        content_type=_content_type(case),
        source_type=source,
        automated_detection="Yes" if detected else "No",
        automated_decision="AUTOMATED_DECISION_PARTIALLY"
        if detected
        else "AUTOMATED_DECISION_NOT_AUTOMATED",
        decision_facts=facts,
        redress=f"Ask for a review until {until} (a person who did not make this decision "
        "decides it); or turn to a certified out-of-court dispute settlement body "
        "(DSA Art. 21) or the courts.",
    )


def _content_type(case: Case) -> str:
    """An image when hashes name one; a prompt (text) for a screen with no image."""
    if case.item.md5 or case.item.pdq or case.queue in _LEGAL_GROUND:
        return "CONTENT_TYPE_IMAGE"
    return "CONTENT_TYPE_TEXT" if case.item.decision_id else "CONTENT_TYPE_OTHER"
