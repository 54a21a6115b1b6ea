"""Coverage: a part of a request no running detector reads is review, never allow."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from consentgate.detectors.base import DetectorContext
from consentgate.detectors.hash_match import HashMatchDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.errors import ConfigError
from consentgate.policy.loader import load_policy, parse_policy
from consentgate.records import DetectorFailureKind, Label, Mode, ScreenRequest, Target, Verdict
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, FixedFake, KeywordFake

PROMPT_WORDS = {"bikini": Label.SEXUALISING_EDIT, "child": Label.MINOR}
IMAGES = frozenset({Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def engine_of(*detectors: object) -> ScreeningEngine:
    registry = DetectorRegistry(detectors)  # type: ignore[arg-type]
    return ScreeningEngine(registry, load_policy(), settings=Settings())


def missing(decision: object) -> set[str]:
    return {
        f.message.rsplit("(", 1)[1].rstrip(")")
        for f in decision.failures  # type: ignore[attr-defined]
        if f.kind is DetectorFailureKind.MISSING
    }


@pytest.mark.parametrize(
    ("detectors", "request_", "gaps"),
    [
        # No prompt detector at all (e.g. CONSENTGATE_DETECTORS=age).
        ((), ScreenRequest(mode=Mode.EDIT, prompt="remove her clothes"),
         {"prompt_sexual", "prompt_minor"}),
        # A prompt detector that cannot tell minors.
        ((KeywordFake("sexual", {"bikini": Label.SEXUALISING_EDIT}),),
         ScreenRequest(prompt="a lighthouse"), {"prompt_minor"}),
        # Prompt fully read; an image with no image detector.
        ((KeywordFake("words", PROMPT_WORDS),),
         ScreenRequest(mode=Mode.EDIT, prompt="warmer colours", source_image=png()),
         {"image_nudity", "image_person", "image_minor", "image_banks"}),
        # Image read for everything but nudity (a missing nudity model).
        ((KeywordFake("words", PROMPT_WORDS),
          FixedFake("faces", [(Label.REAL_PERSON, Target.SOURCE_IMAGE)], targets=IMAGES),
          FixedFake("age", [(Label.POSSIBLE_MINOR, Target.SOURCE_IMAGE)], targets=IMAGES,
                    score=0.1),
          HashMatchDetector(None)),
         ScreenRequest(source_image=png()), {"image_nudity"}),
    ],
)  # fmt: skip
def test_when_a_part_is_not_read_for_a_protection_then_review_naming_it(
    detectors: tuple[object, ...], request_: ScreenRequest, gaps: set[str]
) -> None:
    eng = engine_of(*detectors)
    decision = eng.screen(request_)
    eng.close()
    assert decision.decision is Verdict.REVIEW
    assert "R9" in {r.rule for r in decision.reasons}
    assert missing(decision) == gaps
    assert all(f.detector == "coverage" for f in decision.failures)


def test_when_every_part_is_read_then_no_missing_failure() -> None:
    eng = engine_of(CoversAllFake())
    decision = eng.screen(ScreenRequest(mode=Mode.EDIT, prompt="x", source_image=png()))
    eng.close()
    assert decision.decision is Verdict.ALLOW
    assert decision.failures == ()


def test_when_a_gap_sits_beside_a_block_then_the_block_stands() -> None:
    eng = engine_of(KeywordFake("words", {"bikini": Label.SEXUALISING_EDIT}))
    decision = eng.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    eng.close()
    assert decision.decision is Verdict.BLOCK
    assert {r.rule for r in decision.reasons} == {"R3", "R9"}


def test_when_only_one_image_is_read_then_the_other_is_a_gap() -> None:
    output_only = FixedFake(
        "out", [(Label.NUDITY, Target.OUTPUT_IMAGE)], targets=frozenset({Target.OUTPUT_IMAGE})
    )
    eng = engine_of(KeywordFake("words", PROMPT_WORDS), output_only)
    decision = eng.screen(ScreenRequest(source_image=png(), output_image=png()))
    eng.close()
    messages = [f.message for f in decision.failures]
    assert any("source image for nudity" in m for m in messages)
    assert not any("output image for nudity" in m for m in messages)


def test_when_engine_lacks_protections_then_it_lists_them() -> None:
    eng = engine_of(KeywordFake("words", PROMPT_WORDS))
    off = {(g.target, g.protection) for g in eng.protections_off()}
    eng.close()
    assert (Target.SOURCE_IMAGE, "image_nudity") in off
    assert (Target.OUTPUT_IMAGE, "image_banks") in off
    assert not any(t is Target.PROMPT for t, _ in off)


def test_when_the_installed_detectors_run_then_no_protection_is_off() -> None:
    eng = ScreeningEngine.build(Settings(), DetectorContext())
    try:
        assert eng.protections_off() == ()
    finally:
        eng.close()


def test_when_only_age_is_on_then_an_undressing_request_is_not_allowed() -> None:
    eng = ScreeningEngine.build(Settings(detectors=("age",)))
    try:
        decision = eng.screen(ScreenRequest(mode=Mode.EDIT, prompt="remove her clothes"))
    finally:
        eng.close()
    assert decision.decision is Verdict.REVIEW
    assert missing(decision) == {"prompt_sexual", "prompt_minor"}


def test_when_a_policy_file_leaves_coverage_out_then_it_inherits_the_default() -> None:
    policy = parse_policy(
        "id: p\nversion: '1'\nrules:\n  - {id: X, description: d, verdict: block, "
        "when: {signal: nudity}}\n"
    )
    assert policy.coverage == load_policy().coverage


def test_when_a_policy_file_opts_out_of_coverage_then_it_is_empty() -> None:
    policy = parse_policy(
        "id: p\nversion: '1'\ncoverage: []\nrules:\n  - {id: X, description: d, "
        "verdict: block, when: {signal: nudity}}\n"
    )
    assert policy.coverage == ()


def test_when_a_protection_names_no_labels_then_config_error() -> None:
    with pytest.raises(ConfigError, match="coverage"):
        parse_policy(
            "id: p\nversion: '1'\ncoverage: [{id: c, description: d, targets: [prompt], "
            "labels: []}]\nrules:\n  - {id: X, description: d, verdict: block, "
            "when: {signal: nudity}}\n"
        )


def test_when_nudity_is_turned_off_then_nsfw_score_reads_every_image() -> None:
    from consentgate.detectors.nsfw_score import NsfwScoreDetector

    off = Settings(disabled_detectors=("nudity",))
    only = Settings(detectors=("nsfw_score", "faces"))
    for settings in (off, only):
        detector = NsfwScoreDetector.from_context(DetectorContext(settings=settings))
        assert detector.every_image
    eng = ScreeningEngine.build(Settings(disabled_detectors=("nudity",)))
    try:
        assert eng.protections_off() == ()
        decision = eng.screen(
            ScreenRequest(mode=Mode.EDIT, prompt="warmer", source_image=png(), output_image=png())
        )
    finally:
        eng.close()
    assert not any("nudity" in f.message for f in decision.failures)
