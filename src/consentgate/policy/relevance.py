"""Could signals not yet read still change a decision? The rules, read with three values.

Why: some signals count only beside others. In the default policy a face
(``real_person`` in an image) or an age reading (``possible_minor``) changes
a decision only together with a sexual prompt or nudity: the face and age
models cost about two thirds of an image screen's model time, and beside a
benign prompt and a clean image their answer cannot change what is decided.
The engine therefore runs such detectors after the others, and only when
this module says their signals could still matter (``could_change``).

How, without guessing: every rule is evaluated with the signals that are
known, and each ``signal`` condition that a pending detector could satisfy
(its label, on a part of the request it reads) counts as *unknown*. ``all``
is false when any part is false, ``any`` when every part is, ``not`` and
``same_person`` follow; anything that depends on an unknown stays unknown. A
rule that comes out true or false does not depend on the pending signals at
all, neither for holding nor for the evidence it names; so when no rule is
unknown, the decision (verdict, reasons with their signals, escalation) is
the same with or without them, and they need not be read. This holds for any
policy file, not only the default one: a rule in which a pending label can
fire on its own makes that detector never deferrable (``deferrable``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

from consentgate.policy.conditions import Condition, Facts
from consentgate.policy.policy import Policy
from consentgate.records import Mode, Target

Pending = frozenset[tuple[str, Target]]
"""(label, part of the request) pairs that detectors not yet run could signal."""


class Tri(Enum):
    FALSE = 0
    TRUE = 1
    UNKNOWN = 2


def evaluate(condition: Condition, facts: Facts, pending: Pending) -> Tri:
    """The condition's value under ``facts``, or UNKNOWN where pending signals could decide it."""
    if condition.signal is not None:
        targets = condition.target
        if any(
            label in condition.signal and (targets is None or target in targets)
            for label, target in pending
        ):
            return Tri.UNKNOWN
        return Tri.TRUE if condition.evaluate(facts).holds else Tri.FALSE
    if condition.not_ is not None:
        inner = evaluate(condition.not_, facts, pending)
        return {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE}.get(inner, Tri.UNKNOWN)
    parts: tuple[Condition, ...] | None = condition.all or condition.same_person
    if parts is not None:
        values = [evaluate(part, facts, pending) for part in parts]
        if Tri.FALSE in values:
            return Tri.FALSE
        if Tri.UNKNOWN in values:
            return Tri.UNKNOWN
        return Tri.TRUE if condition.evaluate(facts).holds else Tri.FALSE
    if condition.any is not None:
        values = [evaluate(part, facts, pending) for part in condition.any]
        if Tri.UNKNOWN in values:  # even beside a true part: it could add evidence
            return Tri.UNKNOWN
        return Tri.TRUE if Tri.TRUE in values else Tri.FALSE
    # mode, adult_mode, detector_failed: facts that no signal changes
    return Tri.TRUE if condition.evaluate(facts).holds else Tri.FALSE


def could_change(policy: Policy, facts: Iterable[Facts], pending: Pending) -> bool:
    """Whether adding signals of ``pending`` to any of ``facts`` could change a rule's
    outcome or the evidence it names (one ``Facts`` per way the policy is asked)."""
    if not pending:
        return False
    return any(
        evaluate(rule.when, known, pending) is Tri.UNKNOWN
        for known in facts
        for rule in policy.rules
    )


def deferrable(policy: Policy, pending: Pending) -> bool:
    """Whether these signals alone, with nothing else found, can never change a decision:
    only then is it worth running their detectors after the others."""
    alone = (
        Facts(mode=mode, adult_mode=adult, signals=(), failures=())
        for mode in Mode
        for adult in (False, True)
    )
    return not could_change(policy, alone, pending)


def deferrable_set(policy: Policy, candidates: Mapping[str, Pending]) -> frozenset[str]:
    """The candidates (detector name: what it can signal) that may run after the others:
    each one's signals alone, and all of theirs together, can never change a decision."""
    alone = {name for name, can in candidates.items() if can and deferrable(policy, can)}
    together = frozenset(pair for name in alone for pair in candidates[name])
    return frozenset(alone) if deferrable(policy, together) else frozenset()
