"""Builds statements of reasons: for an upload that a screen blocked, and for a removal.

Every text is ours, from fixed sentences and the numbers of the decision (rule ids,
bank kinds, distances, scores), so the same restriction always reads the same way and
holds no personal data; the one exception is a reviewer's reason, which a removal must
give (its basis) and which becomes part of ``decision_facts``: the writer refuses a
reason with personal data in it (``statements.writer``). The operator's texts
(``CONSENTGATE_SOR_*``) are checked once, when the writer is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from consentgate.cases.intake import OTHER_ROUTES
from consentgate.cases.statements.harms import PROFILES
from consentgate.cases.statements.personal import find_personal_data
from consentgate.cases.statements.records import (
    Harm,
    Redress,
    Statement,
    StatementSource,
    TdbStatement,
)
from consentgate.cases.statements.tdb import (
    TERRITORIES,
    AutomatedDecision,
    DecisionGround,
    DecisionVisibility,
    SourceType,
    StatementCategory,
    YesNo,
)
from consentgate.errors import ConfigError
from consentgate.records import Decision, Signal, Verdict
from consentgate.settings import Settings

FINDINGS = {
    "bank_match_csam": "a match with a hash list of known child sexual abuse material",
    "bank_match_ncii": "a match with a hash list of intimate images reported as shared "
    "without consent",
    "bank_match_consent": "a match with an image its subject registered as not to be shared",
    "bank_match_takedown": "a match with an image removed by an earlier decision",
    "likeness_match": "the face of a person enrolled to keep edits of them from being shared",
    "minor": "signs of a child",
    "possible_minor": "possible signs of a child",
    "nudity": "nudity",
    "body_revealing": "a body-revealing depiction",
    "sexual_explicit": "explicit sexual content",
    "sexualising_edit": "a sexualising or undressing edit",
    "real_person": "a real, identifiable person",
}
"""What each signal label found, in the words of a statement."""


@dataclass(frozen=True)
class StatementConfig:
    """The operator's part of every statement, checked once (ConfigError when it is bad)."""

    territorial_scope: tuple[str, ...]
    terms_section: str
    terms_url: str | None
    appeal_url: str | None
    appeal_window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> StatementConfig:
        unknown = [c for c in settings.sor_territorial_scope if c not in TERRITORIES]
        if unknown:
            raise ConfigError(
                f"invalid setting CONSENTGATE_SOR_TERRITORIAL_SCOPE: {unknown[0]!r} is not "
                "an EU or EEA country code the Transparency Database takes"
            )
        found = find_personal_data(settings.sor_terms_section)
        if found is not None:
            raise ConfigError(
                f"invalid setting CONSENTGATE_SOR_TERMS_SECTION: it contains {found.kind}"
            )
        return cls(
            territorial_scope=tuple(dict.fromkeys(settings.sor_territorial_scope)),
            terms_section=settings.sor_terms_section,
            terms_url=settings.sor_terms_url,
            appeal_url=settings.sor_appeal_url,
            appeal_window=timedelta(days=settings.appeal_window_days),
        )

    def redress(self, statement_id: str, decided_at: datetime) -> Redress:
        until = decided_at + self.appeal_window
        where = f" at {self.appeal_url}" if self.appeal_url else ""
        return Redress(
            appeal_until=until,
            appeal_url=self.appeal_url,
            how_to_appeal=(
                f"Ask the service to review this decision{where}, quoting statement "
                f"{statement_id}, before {until.date().isoformat()} (DSA Art. 20); a person "
                "who did not take the decision reviews it."
            ),
            other_routes=OTHER_ROUTES,
        )


@dataclass(frozen=True)
class Restriction:
    """What a statement needs to know about one restriction, whatever imposed it."""

    statement_id: str
    harm: Harm
    facts: str
    decided_at: datetime
    content_date: date
    source_type: SourceType
    automated_detection: bool
    automated_decision: AutomatedDecision
    category: StatementCategory | None = None  # a notice's alleged category, for OTHER


def build(
    config: StatementConfig,
    restriction: Restriction,
    *,
    source: StatementSource,
    case_id: str | None = None,
    decision_id: str | None = None,
) -> Statement:
    """The statement of ``restriction``, in the database's fields, with its redress."""
    profile = PROFILES[restriction.harm]
    illegal = profile.ground is DecisionGround.ILLEGAL_CONTENT
    r = restriction
    body = TdbStatement(
        decision_visibility=(DecisionVisibility.CONTENT_REMOVED,),
        decision_ground=profile.ground,
        decision_ground_reference_url=profile.reference_url if illegal else config.terms_url,
        illegal_content_legal_ground=profile.legal_ground if illegal else None,
        illegal_content_explanation=profile.explanation if illegal else None,
        incompatible_content_ground=None if illegal else config.terms_section,
        incompatible_content_explanation=None if illegal else profile.explanation,
        incompatible_content_illegal=None if illegal else YesNo.NO,
        content_type=profile.content_types,
        category=r.category or profile.category,
        category_specification=profile.keywords or None,
        territorial_scope=config.territorial_scope,
        content_date=min(r.content_date, r.decided_at.date()),
        application_date=r.decided_at.date(),
        decision_facts=r.facts,
        source_type=r.source_type,
        automated_detection=YesNo.YES if r.automated_detection else YesNo.NO,
        automated_decision=r.automated_decision,
        puid=r.statement_id,
    )
    return Statement(
        id=r.statement_id,
        created_at=r.decided_at,
        source=source,
        harm=r.harm,
        case_id=case_id,
        decision_id=decision_id,
        statement=body,
        redress=config.redress(r.statement_id, r.decided_at),
    )


def finding(signal: Signal) -> str:
    """One signal behind a blocking rule, as a statement says it (no matched text)."""
    what = FINDINGS.get(signal.label, f"the signal {signal.label}")
    distances = [e.distance for e in signal.evidence if e.distance is not None]
    if distances:
        return f"{what} (Hamming distance {min(distances)} of 256 bits)"
    return f"{what} (score {signal.score:.2f}, threshold {signal.threshold:.2f})"


def upload_facts(decision: Decision) -> str:
    """The facts of a blocked upload: it never appeared, which rules blocked it, and why."""
    blocking = [r for r in decision.reasons if r.verdict is Verdict.BLOCK]
    seen: dict[str, None] = {}
    for reason in blocking:
        for signal in reason.signals:
            seen.setdefault(finding(signal))
    rules = ", ".join(r.rule for r in blocking)
    found = "; ".join(seen) if seen else "no detector finding beyond the rule itself"
    return (
        "An image uploaded to be shared was screened by automated means before publication "
        f"and blocked, so it was never published. Rules that blocked it: {rules}. "
        f"Findings: {found}."
    )
