"""Could pending signals change a decision? Tables on the default policy, and a property:
whenever ``could_change`` says no, the decision with them equals the decision without."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentgate.policy.conditions import Facts
from consentgate.policy.loader import load_policy, parse_policy
from consentgate.policy.policy import Ruling
from consentgate.policy.relevance import Pending, could_change, deferrable, deferrable_set
from consentgate.records import Box, Evidence, Label, Mode, Signal, Target

POLICY = load_policy()
S, OUT, P, R = Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE, Target.PROMPT, Target.REQUEST
FACES: Pending = frozenset({(Label.REAL_PERSON.value, S), (Label.REAL_PERSON.value, OUT)})
AGE: Pending = frozenset({(Label.POSSIBLE_MINOR.value, S), (Label.POSSIBLE_MINOR.value, OUT)})


def sig(label: str, target: Target, score: float = 0.9, person: int | None = None) -> Signal:
    evidence = (Evidence(box=Box(x=0, y=0, width=10, height=10), person=person),)
    return Signal(
        detector="fake",
        detector_version="0",
        label=label,
        target=target,
        score=score,
        threshold=0.5,
        review_threshold=0.3,
        evidence=evidence if person is not None else (),
    )


def facts(mode: Mode, *signals: Signal) -> list[Facts]:
    return [Facts(mode=mode, adult_mode=False, signals=signals, failures=())]


@pytest.mark.parametrize(
    ("mode", "signals", "changes"),
    [
        (Mode.EDIT, (), False),  # a benign prompt and a clean photo
        (Mode.UPLOAD, (), False),
        (Mode.EDIT, (sig("sexualising_edit", P),), True),  # R1, R11 need the face and age
        (Mode.GENERATE, (sig("sexual_explicit", P),), True),  # an output's age: R1, R11
        (Mode.EDIT, (sig("nudity", OUT),), True),  # R5 needs a real person in the source
        (Mode.UPLOAD, (sig("body_revealing", S, person=0),), True),  # R1 by the same person
        (Mode.EDIT, (sig("sexual_explicit", P, score=0.4),), False),  # review band: R12 alone
        (Mode.EDIT, (sig("real_person", R),), False),  # a caller's hint, no sexual signal
        (Mode.UPLOAD, (sig("bank_match_csam", S),), False),  # R1 holds anyway: no more evidence
        (Mode.EDIT, (sig("jailbreak", P),), False),
    ],
)
def test_when_faces_and_age_are_pending_then_they_matter_only_beside_a_sexual_sign(
    mode: Mode, signals: tuple[Signal, ...], changes: bool
) -> None:
    assert could_change(POLICY, facts(mode, *signals), FACES | AGE) is changes


def test_when_nothing_is_pending_then_nothing_can_change() -> None:
    assert could_change(POLICY, facts(Mode.EDIT, sig("sexualising_edit", P)), frozenset()) is False


@pytest.mark.parametrize(
    ("pending", "expected"),
    [
        (FACES, True),
        (AGE, True),
        (FACES | AGE, True),
        (frozenset({("sexualising_edit", P)}), False),  # R3 fires on it alone
        (frozenset({("nudity", OUT)}), False),  # R6
        (frozenset({("bank_match_ncii", S)}), False),  # R2
        (frozenset({("jailbreak", P)}), True),  # evidence only (R10 retired in 2026.12.2)
    ],
)
def test_when_signals_count_only_beside_others_then_their_detector_may_run_second(
    pending: Pending, expected: bool
) -> None:
    assert deferrable(POLICY, pending) is expected


CUSTOM = """
id: custom
version: "1"
rules:
  - id: FACE
    description: any photo of a person is reviewed
    verdict: review
    when: {signal: real_person, target: source_image}
  - id: BOTH
    description: a face and a minor reading together
    verdict: block
    when:
      all:
        - {signal: real_person, target: output_image}
        - {signal: possible_minor, target: output_image}
  - id: NOT
    description: nudity where no face was found
    verdict: block
    when:
      all:
        - {signal: nudity}
        - not: {signal: real_person, target: output_image}
"""


def test_when_a_policy_lets_a_face_decide_alone_then_faces_are_never_deferred() -> None:
    policy = parse_policy(CUSTOM)
    assert deferrable(policy, frozenset({("real_person", S)})) is False
    assert deferrable(policy, frozenset({("real_person", OUT)})) is True


def test_when_two_detectors_decide_only_together_then_neither_is_deferred() -> None:
    policy = parse_policy(CUSTOM)
    candidates = {
        "faces": frozenset({("real_person", OUT)}),
        "age": frozenset({("possible_minor", OUT)}),
    }
    assert deferrable(policy, candidates["faces"]) and deferrable(policy, candidates["age"])
    assert deferrable_set(policy, candidates) == frozenset()
    assert deferrable_set(policy, {"age": candidates["age"]}) == {"age"}
    assert deferrable_set(policy, {"silent": frozenset()}) == frozenset()  # declares nothing


def test_when_a_rule_needs_a_face_to_be_absent_then_the_face_still_matters() -> None:
    policy = parse_policy(CUSTOM)
    pending = frozenset({("real_person", OUT)})
    assert could_change(policy, facts(Mode.EDIT, sig("nudity", OUT)), pending) is True
    assert could_change(policy, facts(Mode.EDIT), pending) is False


def test_when_a_rule_holds_anyway_then_a_pending_branch_still_matters_for_its_evidence() -> None:
    policy = parse_policy("""
id: one-rule
version: "1"
rules:
  - id: CS
    description: a match, or a minor reading beside a sexual prompt
    verdict: block
    when:
      any:
        - {signal: bank_match_csam}
        - all: [{signal: possible_minor}, {signal: sexual_explicit, target: prompt}]
""")
    matched = sig("bank_match_csam", S)
    assert could_change(policy, facts(Mode.EDIT, matched), AGE) is False
    assert could_change(policy, facts(Mode.EDIT, matched, sig("sexual_explicit", P)), AGE)


# ---- the property: "cannot change" is never wrong --------------------------------------

LABELS = [
    "sexual_explicit", "sexualising_edit", "minor", "possible_minor", "nudity",
    "body_revealing", "real_person", "jailbreak", "adult_subject", "bank_match_csam",
]  # fmt: skip
DEFERRED_LABELS = {"real_person", "possible_minor"}
IMAGE_TARGETS = (S, OUT)


@st.composite
def signals(draw: st.DrawFn) -> Signal:
    label = draw(st.sampled_from(LABELS))
    target = draw(st.sampled_from([P, R, S, OUT]))
    score = draw(st.sampled_from([0.2, 0.4, 0.6, 0.9]))
    person = draw(st.sampled_from([None, 0, 1])) if target in IMAGE_TARGETS else None
    readable = draw(st.booleans())
    evidence = ()
    if person is not None:
        box = Box(x=0, y=0, width=10, height=10)
        evidence = (Evidence(box=box, person=person, readable=readable, score=score),)
    return Signal(
        detector="fake",
        detector_version="0",
        label=label,
        target=target,
        score=score,
        threshold=0.5,
        review_threshold=0.3,
        evidence=evidence,
    )


def _same(a: Ruling, b: Ruling) -> bool:
    return (a.verdict, a.escalate, a.reasons) == (b.verdict, b.escalate, b.reasons)


@settings(max_examples=400, deadline=None)
@given(
    found=st.lists(signals(), max_size=6),
    mode=st.sampled_from(list(Mode)),
    adult=st.booleans(),
)
def test_when_pending_signals_cannot_change_the_decision_then_adding_them_changes_nothing(
    found: list[Signal], mode: Mode, adult: bool
) -> None:
    def is_deferred(s: Signal) -> bool:
        return s.label in DEFERRED_LABELS and s.target in IMAGE_TARGETS

    known = tuple(s for s in found if not is_deferred(s))
    pending = frozenset((label, t) for label in DEFERRED_LABELS for t in IMAGE_TARGETS)
    without = Facts(mode=mode, adult_mode=adult, signals=known, failures=())
    if could_change(POLICY, [without], pending):
        return
    with_them = Facts(mode=mode, adult_mode=adult, signals=tuple(found), failures=())
    assert _same(POLICY.decide(without), POLICY.decide(with_them))
