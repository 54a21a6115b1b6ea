"""A policy: rules with stable ids, combined by one documented precedence rule.

Precedence (the only combination rule, written down here once):

1. Every rule whose condition holds fires and votes its verdict, with a reason
   naming the rule id and the signals (or detector failures) behind it.
2. The decision is the most severe vote: **block beats review beats allow**.
3. When no rule fires, the decision is ``allow`` with the explicit reason ``R0``
   ("no rule matched"): nothing is ever allowed without a reason.

A detector that failed is a fact the policy sees (``detector_failed``); the
default policy turns it into ``review``, never a silent allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator

from consentgate.policy.conditions import Condition, Facts
from consentgate.policy.coverage import Protection
from consentgate.records import Reason, Record, Verdict

NO_MATCH_RULE = "R0"


class Rule(Record):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_.-]{0,31}$")
    description: str = Field(min_length=1)
    verdict: Verdict
    escalate: bool = Field(False, description="mark the decision for child-safety escalation")
    when: Condition

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == NO_MATCH_RULE:
            raise ValueError(f"rule id {NO_MATCH_RULE} is reserved for 'no rule matched'")
        return value


class Policy(Record):
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    adult_mode: bool = False
    rules: tuple[Rule, ...] = Field(min_length=1)
    coverage: tuple[Protection, ...] = Field(
        (),
        description="readings each part of a request must get (a policy file that omits "
        "this section inherits the default policy's)",
    )

    @field_validator("rules", "coverage")
    @classmethod
    def _unique_ids(cls, items: tuple[Rule | Protection, ...]) -> tuple[Rule | Protection, ...]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"id {item.id!r} is used twice")
            seen.add(item.id)
        return items

    def decide(self, facts: Facts) -> Ruling:
        reasons: list[Reason] = []
        escalate = False
        for rule in self.rules:
            outcome = rule.when.evaluate(facts)
            if not outcome.holds:
                continue
            escalate = escalate or rule.escalate
            reasons.append(
                Reason(
                    rule=rule.id,
                    verdict=rule.verdict,
                    description=rule.description,
                    signals=outcome.signals,
                    failures=outcome.failures,
                )
            )
        if not reasons:
            reasons.append(
                Reason(rule=NO_MATCH_RULE, verdict=Verdict.ALLOW, description="No rule matched.")
            )
        reasons.sort(key=lambda r: -r.verdict.severity)
        return Ruling(verdict=reasons[0].verdict, reasons=tuple(reasons), escalate=escalate)


@dataclass(frozen=True, slots=True)
class Ruling:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    escalate: bool

    def stricter(self, other: Ruling) -> Ruling:
        """The stricter of two rulings (used to make caller hints tighten-only)."""
        if other.verdict.severity > self.verdict.severity:
            return other
        if other.verdict.severity == self.verdict.severity and other.escalate and not self.escalate:
            return other
        return self
