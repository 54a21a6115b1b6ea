"""What a transparency report adds to the statements' vocabulary: the template part a
measure goes to, and one key per category and keyword.

The categories, keywords and grounds are those of the statements of reasons
(``cases.statements.tdb``, ``cases.statements.harms``), the Transparency
Database's, which the harmonised templates (Impl. Reg. 2024/2835, Annex I) count by
too (regulation §b1, §b5, EU-15). A restriction is counted under the category and
first keyword its statement says, and in part 5 (the law) or part 6 (the terms) by
its ``decision_ground``. What has no statement (a notice received, an item not acted
on) is counted under what its statement would say: the harm of its queue, child
sexual abuse once escalated, or for a DSA notice the category it alleges
(``harms.QUEUE_HARMS``, ``harms.notice_harm``; ``case_facts.category_exprs``).
``None`` means "not known" (an automated review: a person decides what it is):
counted in the totals only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from consentgate.cases.statements.harms import PROFILES
from consentgate.cases.statements.records import Harm
from consentgate.cases.statements.tdb import DecisionGround, StatementCategory


class Basis(StrEnum):
    """Whether a measure rests on the law (template part 5) or the terms (part 6)."""

    LAW = "law"
    TERMS = "terms"

    @classmethod
    def of_ground(cls, ground: str | None) -> Basis:
        """The basis of a statement's ``decision_ground`` (incompatible content: the terms)."""
        return cls.TERMS if ground == DecisionGround.INCOMPATIBLE_CONTENT.value else cls.LAW


class Category(NamedTuple):
    category: str
    keyword: str | None = None

    @property
    def key(self) -> str:
        """One string for grouping: ``CATEGORY`` or ``CATEGORY/KEYWORD``."""
        return self.category if self.keyword is None else f"{self.category}/{self.keyword}"

    @classmethod
    def from_key(cls, key: str) -> Category:
        category, _, keyword = key.partition("/")
        return cls(category, keyword or None)

    @classmethod
    def stated(cls, harm: Harm, named: StatementCategory | None = None) -> Category:
        """The category and first keyword a statement of ``harm`` says (``named``: the
        category a DSA notice alleged, which a statement of ``Harm.OTHER`` takes)."""
        profile = PROFILES[harm]
        keyword = profile.keyword
        return cls((named or profile.category).value, keyword.value if keyword else None)
