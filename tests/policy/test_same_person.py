"""The default policy's child-safety rules: same person, sexual prompt, review band.

Signals are built by hand (no images): each case says which person a face or a
body part was associated with, as the image detectors do.
"""

from __future__ import annotations

import pytest

from consentgate.policy.conditions import Facts
from consentgate.policy.loader import load_policy, parse_policy
from consentgate.policy.persons import same_person
from consentgate.records import Box, Evidence, Mode, Signal, Target, Verdict

POLICY = load_policy()
SRC, OUT, PROMPT, REQ = (
    Target.SOURCE_IMAGE,
    Target.OUTPUT_IMAGE,
    Target.PROMPT,
    Target.REQUEST,
)


def sig(
    label: str,
    target: Target,
    *persons: int | None,
    score: float = 0.9,
    band: float | None = None,
    boxed: bool = True,
    readable: bool | None = None,
) -> Signal:
    evidence = tuple(
        Evidence(
            box=Box(x=10 * (p or 0), y=0, width=5, height=5) if boxed else None,
            person=p,
            readable=readable,
        )
        for p in persons or (None,)
    )
    return Signal(
        detector="fake",
        detector_version="0",
        label=label,
        target=target,
        score=score,
        threshold=0.6,
        review_threshold=band,
        evidence=evidence,
    )


def decide(mode: Mode, *signals: Signal) -> tuple[Verdict, bool, list[str]]:
    ruling = POLICY.decide(Facts(mode, False, signals, ()))
    return ruling.verdict, ruling.escalate, [r.rule for r in ruling.reasons]


UNCERTAIN_AGE = {"score": 0.4, "band": 0.3}
READABLE = {"readable": True}  # a face the age model can read, P(minor) 0.9: confident


@pytest.mark.parametrize(
    ("case", "mode", "signals", "verdict", "escalate", "rule"),
    [
        (
            "young face and a covered torso on different people",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0), sig("body_revealing", SRC, 1)),
            Verdict.ALLOW,
            False,
            "R0",
        ),
        (
            "young face and revealing clothing on the same person",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0, **READABLE), sig("body_revealing", SRC, 0)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "a minor score on an unreadable face, revealing clothing on the same person",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0, readable=False), sig("body_revealing", SRC, 0)),
            Verdict.REVIEW,
            False,
            "R11",
        ),
        (
            "a readable face whose minor score is short of confident",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0, score=0.62, **READABLE), sig("body_revealing", SRC, 0)),
            Verdict.REVIEW,
            False,
            "R11",
        ),
        (
            "revealing part that belongs to no visible face, far from the child's face",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0), sig("body_revealing", SRC)),
            Verdict.ALLOW,
            False,
            "R0",
        ),
        (
            "whole-image nudity score (no box) beside a young face",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0, **READABLE), sig("nudity", SRC, boxed=False)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "a child photo edited with an undressing prompt",
            Mode.EDIT,
            (sig("possible_minor", SRC, 0, **READABLE), sig("sexualising_edit", PROMPT)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "a child mentioned beside an ordinary photo of an adult in swimwear",
            Mode.EDIT,
            (sig("minor", PROMPT), sig("body_revealing", SRC, 0)),
            Verdict.ALLOW,
            False,
            "R0",
        ),
        (
            "a prompt naming a child, with nudity in the output",
            Mode.GENERATE,
            (sig("minor", PROMPT), sig("nudity", OUT, 0)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "a child in the source and nudity in the output",
            Mode.EDIT,
            (sig("possible_minor", SRC, 0, **READABLE), sig("nudity", OUT, 2)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "the caller says the subject is a minor, revealing clothing anywhere",
            Mode.UPLOAD,
            (sig("minor", REQ, boxed=False), sig("body_revealing", SRC, 3)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "a sexual prompt about a child",
            Mode.GENERATE,
            (sig("minor", PROMPT), sig("sexual_explicit", PROMPT)),
            Verdict.BLOCK,
            True,
            "R1",
        ),
        (
            "an uncertain age beside revealing clothing on the same person",
            Mode.UPLOAD,
            (
                sig("possible_minor", SRC, 0, **UNCERTAIN_AGE),
                sig("body_revealing", SRC, 0),
            ),
            Verdict.REVIEW,
            False,
            "R11",
        ),
        (
            "an uncertain age on another person than the revealing clothing",
            Mode.UPLOAD,
            (
                sig("possible_minor", SRC, 0, **UNCERTAIN_AGE),
                sig("body_revealing", SRC, 1),
            ),
            Verdict.ALLOW,
            False,
            "R0",
        ),
        (
            "an uncertain age and an undressing edit: blocked, and a person is asked",
            Mode.EDIT,
            (sig("possible_minor", SRC, 0, **UNCERTAIN_AGE), sig("sexualising_edit", PROMPT)),
            Verdict.BLOCK,
            False,
            "R3",
        ),
        (
            "an uncertain sexual reading of the prompt",
            Mode.GENERATE,
            (sig("sexual_explicit", PROMPT, score=0.5, band=0.4),),
            Verdict.REVIEW,
            False,
            "R12",
        ),
        (
            "a sexual score below the review band",
            Mode.GENERATE,
            (sig("sexual_explicit", PROMPT, score=0.2, band=0.4),),
            Verdict.ALLOW,
            False,
            "R0",
        ),
        (
            "an uncertain age alone",
            Mode.UPLOAD,
            (sig("possible_minor", SRC, 0, **UNCERTAIN_AGE),),
            Verdict.ALLOW,
            False,
            "R0",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_when_minor_and_sexual_signals_meet_then_the_policy_decides_by_person(
    case: str,
    mode: Mode,
    signals: tuple[Signal, ...],
    verdict: Verdict,
    escalate: bool,
    rule: str,
) -> None:
    got, escalated, rules = decide(mode, *signals)
    assert (got, escalated, rules[0]) == (verdict, escalate, rule), case


def test_when_uncertain_age_beside_undressing_edit_then_r11_is_among_the_reasons() -> None:
    _, _, rules = decide(
        Mode.EDIT,
        sig("possible_minor", SRC, 0, **UNCERTAIN_AGE),
        sig("sexualising_edit", PROMPT),
    )
    assert rules[:2] == ["R3", "R11"]


def test_when_r1_fires_on_the_same_person_then_its_reason_names_only_that_pair() -> None:
    minor = sig("possible_minor", SRC, 0, **READABLE)
    theirs, others = sig("body_revealing", SRC, 0), sig("body_revealing", SRC, 5)
    ruling = POLICY.decide(Facts(Mode.UPLOAD, False, (minor, theirs, others), ()))
    r1 = next(r for r in ruling.reasons if r.rule == "R1")
    assert set(map(id, r1.signals)) == {id(minor), id(theirs)}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (sig("a", SRC, 0), sig("b", OUT, 0), False),
        (sig("a", SRC, 0), sig("b", PROMPT), False),
        (sig("a", PROMPT), sig("b", PROMPT), True),
        (sig("a", SRC, 1, 2), sig("b", SRC, 2), True),
    ],
)
def test_when_two_signals_compared_then_same_person_follows_the_documented_rule(
    first: Signal, second: Signal, expected: bool
) -> None:
    assert same_person(first, second) is expected


def test_when_boxes_carry_no_person_then_overlapping_boxes_pair() -> None:
    def at(x: int) -> Signal:
        return Signal(
            detector="f",
            detector_version="0",
            label="a",
            target=SRC,
            score=0.9,
            threshold=0.5,
            evidence=(Evidence(box=Box(x=x, y=0, width=10, height=10)),),
        )

    assert same_person(at(0), at(5)) and not same_person(at(0), at(50))


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("      band: review\n", "only allowed together with 'signal'"),
        ("      readable: true\n", "only allowed together with 'signal'"),
        ("      signal: minor\n      min_score: 1.5\n", "min_score"),
        ("      same_person:\n        - signal: minor\n", "same_person"),
    ],
)
def test_when_band_or_same_person_misused_then_the_file_is_refused(
    fragment: str, message: str
) -> None:
    text = (
        'id: t\nversion: "1"\nrules:\n  - id: B1\n    description: d\n    verdict: block\n'
        "    when:\n" + fragment
    )
    with pytest.raises(Exception, match=message):
        parse_policy(text, "t.yaml")


def test_when_review_threshold_above_threshold_then_signal_is_refused() -> None:
    with pytest.raises(ValueError, match="review_threshold"):
        sig("a", SRC, 0, band=0.7)
