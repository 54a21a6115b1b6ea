"""Our harms in the Transparency Database's words: category, keywords, ground, law.

One table, so that every statement of one harm says the same thing (the database asks
for "standard language for similar cases") and a test can hold each row against the
Commission's list of keywords per category (regulation row EU-15).

- Child sexual abuse material is illegal everywhere in the EU (Directive 2011/93/EU,
  Art. 5): ``STATEMENT_CATEGORY_PROTECTION_OF_MINORS``.
- Sharing intimate images without consent, and sharing sexual deepfakes of a real
  person, are offences under Directive (EU) 2024/1385, Art. 5(1)(a) and (b):
  ``STATEMENT_CATEGORY_CYBER_VIOLENCE``. The ``_AGAINST_WOMEN`` variants would need the
  person's sex, which ConsentGate neither knows nor infers.
- Explicit content of adults is not illegal; a general-audience service refuses it by
  its terms (policy R6): ``DECISION_GROUND_INCOMPATIBLE_CONTENT``, under
  ``STATEMENT_CATEGORY_OTHER_VIOLATION_TC``.
- Anything else a custom rule blocks is stated as incompatible with the terms, under
  ``..._OTHER_VIOLATION_TC``; so is a DSA notice of another kind that a moderator upheld,
  under the category the notice alleged when it names one of the sixteen, else
  ``..._NOT_SPECIFIED_NOTICE``.

Which harm a restriction is: ``harm_of_labels`` reads the labels of the signals behind
the blocking rules (labels are stable; rule ids are the operator's), most severe first;
a case's harm comes from its queue (``QUEUE_HARMS``; an escalated case is child sexual
abuse) or, for a DSA notice, from the category it alleges (``notice_harm``).
Transparency reports count every restriction under the category and keyword its
statement says, and a notice not yet decided under the ones it would say, from these
same tables (``consentgate.reports.categories``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from consentgate.cases.records import Queue
from consentgate.cases.statements.records import Harm
from consentgate.cases.statements.tdb import ContentType, DecisionGround, Keyword, StatementCategory
from consentgate.records import Decision, Verdict

EURLEX = "https://eur-lex.europa.eu/eli/dir"


@dataclass(frozen=True)
class HarmProfile:
    """What a statement about one harm says in the database's fields."""

    category: StatementCategory
    keywords: tuple[Keyword, ...]
    ground: DecisionGround
    legal_ground: str | None  # illegal_content_legal_ground (illegal content only)
    explanation: str  # illegal_content_explanation or incompatible_content_explanation
    reference_url: str | None
    content_types: tuple[ContentType, ...] = (ContentType.IMAGE,)

    @property
    def keyword(self) -> Keyword | None:
        """The first keyword: the one a transparency report counts the statement under."""
        return self.keywords[0] if self.keywords else None


PROFILES: dict[Harm, HarmProfile] = {
    Harm.CHILD_SEXUAL_ABUSE: HarmProfile(
        StatementCategory.PROTECTION_OF_MINORS,
        (Keyword.CHILD_SEXUAL_ABUSE_MATERIAL,),
        DecisionGround.ILLEGAL_CONTENT,
        "Directive 2011/93/EU, Article 5 (offences concerning child sexual abuse material), "
        "as transposed in the law of each Member State",
        "The image depicts, or was found to match known material depicting, the sexual "
        "abuse or sexualisation of a child; distributing or making it available is an "
        "offence in every Member State.",
        f"{EURLEX}/2011/93/oj",
    ),
    Harm.INTIMATE_IMAGE_ABUSE: HarmProfile(
        StatementCategory.CYBER_VIOLENCE,
        (Keyword.NON_CONSENSUAL_IMAGE_SHARING,),
        DecisionGround.ILLEGAL_CONTENT,
        "Directive (EU) 2024/1385, Article 5(1)(a) (non-consensual sharing of intimate or "
        "manipulated material), as transposed in the law of each Member State",
        "The image is an intimate image of a person made available to the public without "
        "that person's consent, as reported by or for the person shown or matched to such "
        "an image.",
        f"{EURLEX}/2024/1385/oj",
    ),
    Harm.SEXUAL_DEEPFAKE: HarmProfile(
        StatementCategory.CYBER_VIOLENCE,
        (Keyword.NON_CONSENSUAL_MATERIAL_DEEPFAKE,),
        DecisionGround.ILLEGAL_CONTENT,
        "Directive (EU) 2024/1385, Article 5(1)(b) (producing or manipulating material "
        "that makes it appear as though a person is engaged in sexual activities, and "
        "making it accessible), as transposed in the law of each Member State",
        "The image sexualises an identifiable real person who did not consent, by editing "
        "or generating it with technical means.",
        f"{EURLEX}/2024/1385/oj",
        (ContentType.IMAGE, ContentType.SYNTHETIC_MEDIA),
    ),
    Harm.ADULT_SEXUAL_CONTENT: HarmProfile(
        StatementCategory.OTHER_VIOLATION_TC,
        (Keyword.ADULT_SEXUAL_MATERIAL, Keyword.NUDITY),
        DecisionGround.INCOMPATIBLE_CONTENT,
        None,
        "The image shows explicit sexual content or nudity, which the terms of service of "
        "this general-audience service do not allow.",
        None,
    ),
    Harm.OTHER: HarmProfile(
        StatementCategory.OTHER_VIOLATION_TC,
        (),
        DecisionGround.INCOMPATIBLE_CONTENT,
        None,
        "The content breaks a rule of the terms of service, as set out in the facts.",
        None,
    ),
}

_BY_LABEL: tuple[tuple[Harm, frozenset[str]], ...] = (
    (Harm.CHILD_SEXUAL_ABUSE, frozenset({"bank_match_csam", "minor", "possible_minor"})),
    (
        Harm.INTIMATE_IMAGE_ABUSE,
        frozenset(
            {"bank_match_ncii", "bank_match_consent", "bank_match_takedown", "likeness_match"}
        ),
    ),
    (Harm.SEXUAL_DEEPFAKE, frozenset({"sexualising_edit", "real_person"})),
    (Harm.ADULT_SEXUAL_CONTENT, frozenset({"sexual_explicit", "nudity", "body_revealing"})),
)


def harm_of_labels(labels: Iterable[str]) -> Harm:
    """The most severe harm the labels of the blocking signals show (``OTHER`` if none)."""
    found = set(labels)
    for harm, labelled in _BY_LABEL:
        if found & labelled:
            return harm
    return Harm.OTHER


def harm_of_decision(decision: Decision) -> Harm:
    """The harm behind a screen's blocking (or, failing that, reviewing) rules."""
    if decision.escalate:
        return Harm.CHILD_SEXUAL_ABUSE
    worst = Verdict.BLOCK if decision.decision is Verdict.BLOCK else Verdict.REVIEW
    return harm_of_labels(
        s.label for r in decision.reasons if r.verdict is worst for s in r.signals
    )


ALLEGED: dict[str, Harm] = {
    StatementCategory.PROTECTION_OF_MINORS.value: Harm.CHILD_SEXUAL_ABUSE,
    StatementCategory.CYBER_VIOLENCE.value: Harm.INTIMATE_IMAGE_ABUSE,
    StatementCategory.CYBER_VIOLENCE_AGAINST_WOMEN.value: Harm.INTIMATE_IMAGE_ABUSE,
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR": Harm.INTIMATE_IMAGE_ABUSE,  # schema v1
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT": Harm.ADULT_SEXUAL_CONTENT,  # v1
}
"""A DSA notice's ``alleged_category`` read as one of our harms (v1 names included)."""

QUEUE_HARMS: dict[Queue, Harm] = {
    Queue.CHILD_SAFETY: Harm.CHILD_SEXUAL_ABUSE,
    Queue.INTIMATE_IMAGES: Harm.INTIMATE_IMAGE_ABUSE,
}
"""The harm of every case in a queue that holds one kind of harm (an escalated case, in
whichever queue, is child sexual abuse)."""

CATEGORIES = frozenset(c.value for c in StatementCategory)


def notice_harm(alleged: str | None) -> tuple[Harm, StatementCategory | None]:
    """A DSA notice's harm from the category it alleges, and the category a statement of
    ``Harm.OTHER`` is made under: the one alleged when it is one of the sixteen but no
    harm of ours, else ``STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE`` (the database's category
    for a notice that names none, and the row the templates count such notices on)."""
    text = alleged or ""
    harm = ALLEGED.get(text, Harm.OTHER)
    if harm is not Harm.OTHER:
        return harm, None
    named = StatementCategory(text) if text in CATEGORIES else None
    return harm, named or StatementCategory.NOT_SPECIFIED_NOTICE
