"""Which DSA category and keyword each kind of case and each blocking rule reports under.

Why here, once: the harmonised templates (Impl. Reg. 2024/2835, Annex I) count
notices and measures per ``STATEMENT_CATEGORY_*`` and per ``KEYWORD_*`` under it,
the same vocabulary as the Transparency Database (regulation §b1, EU-15). Our
harms fall in three places: intimate images shared without consent (cyber
violence), child sexual abuse material (protection of minors), and explicit
adult content, which is against a service's terms rather than the law. A case's
category comes from what opened it; a blocked upload's from the rule that
blocked it. ``None`` means "not known": counted in the totals only.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from consentgate.cases.records import CaseKind
from consentgate.records import Mode

STATEMENT_CATEGORIES = frozenset(
    f"STATEMENT_CATEGORY_{name}"
    for name in (
        "ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE",
        "CYBER_VIOLENCE_AGAINST_WOMEN", "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "ILLEGAL_OR_HARMFUL_SPEECH", "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "NOT_SPECIFIED_NOTICE",
        "OTHER_VIOLATION_TC", "PROTECTION_OF_MINORS", "RISK_FOR_PUBLIC_SECURITY",
        "SCAMS_AND_FRAUD", "SELF_HARM", "UNSAFE_AND_PROHIBITED_PRODUCTS", "VIOLENCE",
    )
)  # fmt: skip
"""The 16 categories of the Transparency Database and the templates (regulation §b1)."""


class Basis(StrEnum):
    """Whether a measure rests on the law (template part 5) or the terms (part 6)."""

    LAW = "law"
    TERMS = "terms"


class Category(NamedTuple):
    category: str
    keyword: str | None = None

    @property
    def key(self) -> str:
        """One string for SQL grouping: ``CATEGORY`` or ``CATEGORY/KEYWORD``."""
        return self.category if self.keyword is None else f"{self.category}/{self.keyword}"

    @classmethod
    def from_key(cls, key: str) -> Category:
        category, _, keyword = key.partition("/")
        return cls(category, keyword or None)


MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
CYBER_VIOLENCE = "STATEMENT_CATEGORY_CYBER_VIOLENCE"
CSAM = Category(MINORS, "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL")
CSAM_DEEPFAKE = Category(MINORS, "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE")
NCII = Category(CYBER_VIOLENCE, "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING")
NCII_DEEPFAKE = Category(CYBER_VIOLENCE, "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE")
ADULT = Category("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "KEYWORD_ADULT_SEXUAL_MATERIAL")
NOT_SPECIFIED = Category("STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE")

CASE_CATEGORIES: dict[CaseKind, Category | None] = {
    CaseKind.CHILD_SAFETY: CSAM,
    CaseKind.AUTOMATED_ESCALATION: CSAM,
    CaseKind.TAKE_IT_DOWN: NCII,
    CaseKind.UK_INTIMATE_IMAGE: NCII,
    CaseKind.RETRO_MATCH: NCII,  # screened content matching a bank entry added later
    CaseKind.BANK_ALERT: NCII,  # a flood on a protected (intimate-image) entry
    CaseKind.DSA_NOTICE: None,  # the notice's alleged category decides (``notice_category``)
    CaseKind.AUTOMATED_REVIEW: None,  # a person decides what it is
}


def basis_of(category: Category | None) -> Basis:
    """Whether a measure of ``category`` rests on the terms (part 6) or the law (part 5)."""
    terms = category is not None and category.category == ADULT.category
    return Basis.TERMS if terms else Basis.LAW


def notice_category(alleged: str | None) -> Category:
    """A DSA notice's category: the one it alleges when that is a category, else unspecified."""
    return Category(alleged) if alleged in STATEMENT_CATEGORIES else NOT_SPECIFIED


RULE_CATEGORIES: dict[str, tuple[Category, Category, Basis]] = {
    # rule: (category for an upload, for a generated or edited image, basis)
    "R1": (CSAM, CSAM_DEEPFAKE, Basis.LAW),
    "R2": (NCII, NCII_DEEPFAKE, Basis.LAW),
    "R3": (NCII_DEEPFAKE, NCII_DEEPFAKE, Basis.LAW),
    "R4": (NCII_DEEPFAKE, NCII_DEEPFAKE, Basis.LAW),
    "R5": (NCII_DEEPFAKE, NCII_DEEPFAKE, Basis.LAW),
    "R6": (ADULT, ADULT, Basis.TERMS),
}
"""In precedence order: the first rule of a decision found here names its category."""


def of_rules(rules: Iterable[str], mode: str) -> tuple[Category, Basis] | None:
    """The category and basis of a blocked screen, from the first listed rule that fired."""
    fired = set(rules)
    for rule, (upload, made, basis) in RULE_CATEGORIES.items():
        if rule in fired:
            return (upload if mode == Mode.UPLOAD.value else made), basis
    return None
