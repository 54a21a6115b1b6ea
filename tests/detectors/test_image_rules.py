"""The image rules (R1, R3, R5, R6) decided on pixel signals from fake detectors.

The harmful side is always simulated: fake detectors emit the signals that a
real detector would emit for a harmful image; no such image exists anywhere.
"""

from __future__ import annotations

import pytest

from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.images.decoded import DecodedImage
from consentgate.policy.loader import load_policy
from consentgate.records import Label, Mode, ScreenRequest, Subject, Target, Verdict
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, FixedFake

SRC, OUT, PROMPT = Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE, Target.PROMPT
ALL = frozenset({SRC, OUT, PROMPT})


def blank(data: bytes, settings: Settings) -> DecodedImage:
    import numpy as np

    return DecodedImage("PNG", 4, 4, (np.zeros((4, 4, 3), np.uint8),), 1.0, "m", "s")


def decide(
    signals: list[tuple[str, Target]],
    *,
    mode: Mode = Mode.EDIT,
    subject: Subject | None = None,
    adult_mode: bool = False,
    score: float = 0.9,
):  # type: ignore[no-untyped-def]
    settings = Settings(adult_mode=adult_mode)
    registry = DetectorRegistry(
        [FixedFake("pixels", signals, score=score, targets=ALL), CoversAllFake()]
    )
    engine = ScreeningEngine(registry, load_policy(), settings=settings, decoder=blank)
    request = ScreenRequest(
        mode=mode, prompt="make it sunnier", source_image=b"x", output_image=b"y", subject=subject
    )
    return engine.screen(request)


CASES = [
    ("benign photo of a person", [(Label.REAL_PERSON, SRC)], None, Verdict.ALLOW, set(), False),
    (
        "output nudity, source showed a real person",
        [(Label.REAL_PERSON, SRC), (Label.NUDITY, OUT)],
        None,
        Verdict.BLOCK,
        {"R5", "R6"},
        False,
    ),
    # A whole-image minor score (no face the age model read) is not enough to escalate:
    # R11 asks a person instead (R1 from pixels needs a readable face, see
    # test_escalation_rules.py).
    (
        "possible minor (no face read) and body revealing",
        [(Label.POSSIBLE_MINOR, SRC), (Label.BODY_REVEALING, SRC)],
        None,
        Verdict.REVIEW,
        {"R11"},
        False,
    ),
    (
        "possible minor (no face read) in source, nudity in output",
        [(Label.REAL_PERSON, SRC), (Label.POSSIBLE_MINOR, SRC), (Label.NUDITY, OUT)],
        None,
        Verdict.BLOCK,
        {"R11", "R5"},
        False,
    ),
    (
        "possible minor (no face read), sexualising prompt",
        [(Label.POSSIBLE_MINOR, SRC), (Label.SEXUALISING_EDIT, PROMPT)],
        None,
        Verdict.BLOCK,
        {"R11", "R3"},
        False,
    ),
    ("possible minor alone", [(Label.POSSIBLE_MINOR, SRC)], None, Verdict.ALLOW, set(), False),
    (
        "real person and sexualising edit",
        [(Label.REAL_PERSON, SRC), (Label.SEXUALISING_EDIT, PROMPT)],
        None,
        Verdict.BLOCK,
        {"R3"},
        False,
    ),
    ("body revealing, adult", [(Label.BODY_REVEALING, OUT)], None, Verdict.ALLOW, set(), False),
]


@pytest.mark.parametrize(
    ("case", "signals", "subject", "verdict", "rules", "escalate"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_when_pixel_signals_then_image_rules_decide(
    case: str,
    signals: list[tuple[str, Target]],
    subject: Subject | None,
    verdict: Verdict,
    rules: set[str],
    escalate: bool,
) -> None:
    decision = decide(signals, subject=subject)
    assert decision.decision == verdict
    assert rules <= {r.rule for r in decision.reasons}
    assert decision.escalate is escalate


def test_when_source_nudity_only_then_r5_does_not_fire() -> None:
    decision = decide([(Label.REAL_PERSON, SRC), (Label.NUDITY, SRC)])
    assert "R5" not in {r.rule for r in decision.reasons}


def test_when_adult_mode_then_output_nudity_of_a_real_person_still_blocked_by_r5() -> None:
    decision = decide([(Label.REAL_PERSON, SRC), (Label.NUDITY, OUT)], adult_mode=True)
    assert decision.decision == Verdict.BLOCK
    assert {r.rule for r in decision.reasons} == {"R5"}


def test_when_caller_hints_real_person_then_output_nudity_blocked_even_in_adult_mode() -> None:
    decision = decide([(Label.NUDITY, OUT)], subject=Subject.REAL_PERSON, adult_mode=True)
    assert decision.decision == Verdict.BLOCK
    assert "R5" in {r.rule for r in decision.reasons}


def test_when_adult_mode_and_no_real_person_then_output_nudity_allowed() -> None:
    assert decide([(Label.NUDITY, OUT)], adult_mode=True).decision == Verdict.ALLOW


def test_when_signals_below_threshold_then_no_image_rule_fires() -> None:
    decision = decide([(Label.REAL_PERSON, SRC), (Label.NUDITY, OUT)], score=0.3)
    assert decision.decision == Verdict.ALLOW
