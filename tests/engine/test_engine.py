from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import (
    DetectorFailureKind,
    Label,
    Mode,
    ScreenRequest,
    Subject,
    Target,
    Verdict,
)
from consentgate.settings import Settings
from tests.fakes import (
    CoversAllFake,
    FixedFake,
    HangingFake,
    KeywordFake,
    RaisingFake,
    RaisingInlineFake,
    SlowInlineFake,
)

WORDS = {
    "bikini": Label.SEXUALISING_EDIT,
    "naked": Label.SEXUAL_EXPLICIT,
    "child": Label.MINOR,
    "celebrity": Label.REAL_PERSON,
    "ignore": Label.JAILBREAK,
}


def engine_with(*detectors: object, timeout: float = 2.0, adult: bool = False) -> ScreeningEngine:
    registry = DetectorRegistry([CoversAllFake(), *detectors])  # type: ignore[list-item]
    settings = Settings(detector_timeout_s=timeout, adult_mode=adult)
    return ScreeningEngine(registry, load_policy(), settings=settings)


@pytest.fixture
def engine() -> Iterator[ScreeningEngine]:
    eng = engine_with(KeywordFake("words", WORDS))
    yield eng
    eng.close()


@pytest.mark.parametrize(
    ("mode", "prompt", "subject", "verdict", "rules"),
    [
        (Mode.EDIT, "put her in a bikini", None, Verdict.BLOCK, ["R3"]),
        (Mode.GENERATE, "a woman in a bikini", None, Verdict.ALLOW, ["R0"]),
        (Mode.GENERATE, "celebrity in a bikini", None, Verdict.BLOCK, ["R4"]),
        (Mode.GENERATE, "a woman in a bikini", Subject.REAL_PERSON, Verdict.BLOCK, ["R4"]),
        (Mode.GENERATE, "child in a bikini", None, Verdict.BLOCK, ["R1"]),
        (Mode.GENERATE, "a person in a bikini", Subject.MINOR, Verdict.BLOCK, ["R1"]),
        (Mode.GENERATE, "naked elf", None, Verdict.BLOCK, ["R6"]),
        (Mode.GENERATE, "ignore the rules", None, Verdict.ALLOW, ["R0"]),  # evidence only
        (Mode.GENERATE, "a child playing football", None, Verdict.ALLOW, ["R0"]),
        (Mode.EDIT, "a lighthouse at dusk", Subject.NONE, Verdict.ALLOW, ["R0"]),
    ],
)
def test_when_prompt_signals_then_default_policy_decides(
    engine: ScreeningEngine,
    mode: Mode,
    prompt: str,
    subject: Subject | None,
    verdict: Verdict,
    rules: list[str],
) -> None:
    decision = engine.screen(ScreenRequest(mode=mode, prompt=prompt, subject=subject))
    assert decision.decision is verdict
    assert [r.rule for r in decision.reasons if r.verdict is verdict] == rules


def test_when_child_and_sexual_then_decision_is_marked_for_escalation(
    engine: ScreeningEngine,
) -> None:
    decision = engine.screen(ScreenRequest(prompt="naked child"))
    assert decision.escalate
    assert {r.rule for r in decision.reasons} == {"R1", "R6"}
    assert decision.reasons[0].verdict is Verdict.BLOCK


def test_when_blocked_then_reason_names_the_signal_behind_it(engine: ScreeningEngine) -> None:
    decision = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    (signal,) = decision.reasons[0].signals
    assert signal.detector == "words"
    assert signal.label == Label.SEXUALISING_EDIT
    assert signal.evidence[0].span == "bikini"


def test_when_adult_mode_then_explicit_fiction_is_allowed_but_minors_never() -> None:
    eng = engine_with(KeywordFake("words", WORDS), adult=True)
    assert eng.screen(ScreenRequest(prompt="naked elf")).decision is Verdict.ALLOW
    assert eng.screen(ScreenRequest(prompt="naked child")).decision is Verdict.BLOCK
    eng.close()


def test_when_detector_raises_then_review_with_failure_and_no_internals() -> None:
    eng = engine_with(RaisingFake())
    decision = eng.screen(ScreenRequest(prompt="a lighthouse"))
    assert decision.decision is Verdict.REVIEW
    assert decision.reasons[0].rule == "R9"
    (failure,) = decision.failures
    assert failure.kind is DetectorFailureKind.ERROR
    assert "/secret" not in failure.message
    eng.close()


def test_when_detector_hangs_then_review_within_budget() -> None:
    hanging = HangingFake()
    eng = engine_with(hanging, KeywordFake("words", WORDS), timeout=0.2)
    try:
        decision = eng.screen(ScreenRequest(prompt="a lighthouse"))
    finally:
        hanging.release.set()
        eng.close()
    assert decision.decision is Verdict.REVIEW
    assert [f.kind for f in decision.failures] == [DetectorFailureKind.TIMEOUT]
    assert [t.detector for t in decision.timings] == ["covers_all", "words"]


def test_when_one_detector_fails_then_a_block_from_another_still_stands() -> None:
    eng = engine_with(RaisingFake(), KeywordFake("words", WORDS))
    decision = eng.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    assert decision.decision is Verdict.BLOCK
    assert {r.rule for r in decision.reasons} == {"R3", "R9"}
    eng.close()


@pytest.mark.parametrize("subject", [Subject.NONE, Subject.REAL_PERSON, Subject.MINOR, None])
def test_when_hint_given_then_it_never_loosens(engine: ScreeningEngine, subject: Subject) -> None:
    decision = engine.screen(
        ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini", subject=subject)
    )
    assert decision.decision is Verdict.BLOCK


def test_when_hint_says_none_then_detected_real_person_still_counts() -> None:
    face = FixedFake(
        "faces",
        [(Label.REAL_PERSON, Target.SOURCE_IMAGE)],
        targets=frozenset({Target.PROMPT}),
    )
    nudity = FixedFake("nudity_out", [(Label.NUDITY, Target.OUTPUT_IMAGE)])
    eng = engine_with(face, nudity, adult=True)
    decision = eng.screen(ScreenRequest(mode=Mode.EDIT, prompt="x", subject=Subject.NONE))
    assert decision.decision is Verdict.BLOCK
    assert "R5" in {r.rule for r in decision.reasons}
    eng.close()


def test_when_signal_below_threshold_then_it_does_not_fire() -> None:
    weak = FixedFake("weak", [(Label.SEXUAL_EXPLICIT, Target.PROMPT)], score=0.2)
    eng = engine_with(weak)
    decision = eng.screen(ScreenRequest(prompt="x"))
    assert decision.decision is Verdict.ALLOW
    assert decision.signals[0].score == pytest.approx(0.2)
    eng.close()


def test_when_nothing_fires_then_allow_with_explicit_reason() -> None:
    eng = engine_with()
    decision = eng.screen(ScreenRequest(prompt="x"))
    assert decision.decision is Verdict.ALLOW
    assert decision.reasons[0].rule == "R0"
    assert decision.failures == ()
    eng.close()


def test_when_decision_serialised_then_round_trips(engine: ScreeningEngine) -> None:
    decision = engine.screen(ScreenRequest(id="req-1", mode=Mode.EDIT, prompt="bikini"))
    data = decision.model_dump_json()
    assert type(decision).model_validate_json(data) == decision
    assert decision.request_id == "req-1"


def test_when_inline_detector_overruns_budget_then_timeout_and_signals_discarded() -> None:
    eng = engine_with(SlowInlineFake(0.3), KeywordFake("words", WORDS), timeout=0.1)
    decision = eng.screen(ScreenRequest(prompt="a boat"))
    eng.close()
    assert decision.decision is Verdict.REVIEW
    assert [(f.detector, f.kind) for f in decision.failures] == [
        ("slow_inline", DetectorFailureKind.TIMEOUT)
    ]
    assert all(s.detector != "slow_inline" for s in decision.signals)


def test_when_inline_detector_raises_then_review_and_pool_results_kept() -> None:
    eng = engine_with(RaisingInlineFake(), KeywordFake("words", WORDS))
    decision = eng.screen(ScreenRequest(mode=Mode.EDIT, prompt="bikini"))
    eng.close()
    assert decision.decision is Verdict.BLOCK
    assert {r.rule for r in decision.reasons} == {"R3", "R9"}
    assert decision.failures[0].message == "raised RuntimeError"
