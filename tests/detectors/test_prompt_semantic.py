"""The semantic prompt detector with fake encoders: contract, review band, cascade, artefact."""

from __future__ import annotations

import re

import pytest

from consentgate.detectors.base import ScreenInput
from consentgate.detectors.prompt_semantic import SEXUAL, PromptSemanticDetector
from consentgate.detectors.semantic_cascade import needs_wide_encoder, reads_wide
from consentgate.detectors.semantic_model import MODEL_FILE, SemanticModel
from consentgate.errors import ConfigError
from consentgate.records import ModelRef, ScreenRequest, Target
from consentgate.text.normalise import normalise
from tests.detectors import test_prompt_contract as contract
from tests.detectors.semantic_fakes import LABELS, LOWER, UPPER, FakeEncoder, NoCues, fake_model

# The shipped artefact, pinned: retraining (scripts/train_semantic.py) is deterministic,
# and a changed model must come with a new version.
MODEL_SHA256 = {"1.0.0": "85cd405e4d626450cf3995a9279a4b5e57fe931731a1e24bad066b2883f55297"}


def build() -> tuple[PromptSemanticDetector, FakeEncoder, FakeEncoder]:
    fast, wide = FakeEncoder("use"), FakeEncoder("e5")
    return PromptSemanticDetector(fast, wide, fake_model(fast, wide), NoCues()), fast, wide


def screen(detector: PromptSemanticDetector, prompt: str) -> ScreenInput:
    return ScreenInput(request=ScreenRequest(prompt=prompt), text=normalise(prompt))


@pytest.fixture(scope="module")
def detector() -> PromptSemanticDetector:
    """The contract tests below (inherited from test_prompt_contract) run on this one."""
    return build()[0]


test_when_built_then_identity_is_declared_on_the_class = (
    contract.test_when_built_then_identity_is_declared_on_the_class
)
test_when_built_then_model_is_pinned_by_sha256 = (
    contract.test_when_built_then_model_is_pinned_by_sha256
)
test_when_signals_are_emitted_then_each_is_stamped_and_fired = (
    contract.test_when_signals_are_emitted_then_each_is_stamped_and_fired
)
test_when_there_is_no_prompt_then_detector_does_not_apply = (
    contract.test_when_there_is_no_prompt_then_detector_does_not_apply
)


@pytest.mark.parametrize(
    ("prompt", "fired", "uncertain"),
    [
        ("the forbidden request", True, False),  # above the upper threshold: blocks
        ("maybe the request", False, True),  # between the thresholds: review band
        ("the plain request", None, None),  # below the lower threshold: no signal
    ],
)
def test_when_scored_then_band_decides_fired_uncertain_or_nothing(
    prompt: str, fired: bool | None, uncertain: bool | None
) -> None:
    detector = build()[0]
    signals = detector.detect(screen(detector, prompt))
    if fired is None:
        assert signals == []
        return
    assert [s.label for s in signals] == list(LABELS)
    for signal in signals:
        assert (signal.fired, signal.uncertain) == (fired, uncertain)
        # "maybe" has no lexicon cue: its sexual signals may review, never block
        sexual_alone = signal.label in SEXUAL and not fired
        assert signal.threshold == (1.0 if sexual_alone else UPPER)
        assert signal.review_threshold == LOWER
        assert signal.target is Target.PROMPT


@pytest.mark.parametrize(
    ("label", "fired"),
    [("sexual_explicit", False), ("sexualising_edit", False), ("minor", True)],
)
def test_when_no_lexicon_cue_backs_a_sexual_score_then_it_reviews_but_never_blocks(
    label: str, fired: bool
) -> None:
    fast, wide = FakeEncoder("use"), FakeEncoder("e5")
    detector = PromptSemanticDetector(fast, wide, fake_model(fast, wide), NoCues(silent=True))
    (signal,) = [
        s for s in detector.detect(screen(detector, "the forbidden request")) if s.label == label
    ]
    assert signal.fired is fired
    assert signal.uncertain is not fired


def test_when_a_signal_is_emitted_then_its_note_carries_every_input_score() -> None:
    detector = build()[0]
    note = detector.detect(screen(detector, "maybe the request"))[0].evidence[0].note or ""
    # USE alone would raise it and the lexicon did not: e5 gives a second opinion.
    for part in ("fused=0.500", "use+e5_head=0.500", "ngram=-", "lexicon=0", "block>=1.000"):
        assert part in note


@pytest.mark.parametrize(
    ("prompt", "encoder"),
    [
        ("undress her", "use"),  # English: USE reads it
        ("enlève ses vêtements", "use"),  # French: one of USE's 16 languages
        ("dezbracă-o", "e5"),  # Romanian letters
        ("hubaran mo siya nude", "e5"),  # Tagalog: no common word, and a lexicon cue
        ("hubaran mo siya", "use"),  # the same, no lexicon cue: e5 changed no decision there
        ("הפשיטו אותה", "e5"),  # Hebrew script
        ("لباسش را در بیاور", "e5"),  # Persian letters
        ("svlékni ji", "use"),  # Czech without its own letters and no lexicon cue
        ("svlékněte ji", "e5"),  # Czech letters
        ("a dog sitting on a bench in the park", "use"),
    ],
)
def test_when_the_language_is_outside_use_then_e5_embeds_it(prompt: str, encoder: str) -> None:
    detector, fast, wide = build()
    detector.detect(screen(detector, prompt))
    assert (len(fast.calls), len(wide.calls)) == ((1, 0) if encoder == "use" else (0, 1))
    text = normalise(prompt).text
    assert reads_wide(text, cued="nude" in text) is (encoder == "e5")
    assert needs_wide_encoder(text) is (
        encoder == "e5" or text in ("hubaran mo siya", "svlékni ji")
    )


def test_when_a_prompt_is_disguised_then_only_its_canonical_reading_is_embedded() -> None:
    detector, fast, _ = build()
    text = normalise("the f o r b i d d e n thing")
    assert len(text.readings) > 1
    detector.detect(screen(detector, "the f o r b i d d e n thing"))
    assert fast.calls == [[text.text]]


def test_when_many_prompts_are_screened_then_each_stage_embeds_them_in_one_call() -> None:
    detector, fast, wide = build()
    prompts = ["the forbidden request", "maybe the request", "hubaran siya nude", "the plain one"]
    found = detector.detect_many([normalise(p) for p in prompts])
    assert [len(c) for c in fast.calls] == [3]  # all that USE reads
    # the Tagalog one; a second opinion for "maybe" ("forbidden" has a lexicon cue)
    assert [len(c) for c in wide.calls] == [1, 1]
    assert [len(s) for s in found] == [4, 4, 4, 0]


@pytest.mark.parametrize(
    ("use_says", "e5_says", "fired"),
    [("forbidden", "forbidden", True), ("forbidden", "plain", False)],
)
def test_when_use_alone_raises_a_sexual_label_then_e5_must_agree(
    use_says: str, e5_says: str, fired: bool
) -> None:
    fast, wide = FakeEncoder("use"), FakeEncoder("e5")
    wide.embed = lambda texts: FakeEncoder("e5").embed([e5_says] * len(texts))  # type: ignore[method-assign]
    detector = PromptSemanticDetector(fast, wide, fake_model(fast, wide), NoCues(silent=True))
    signals = detector.detect(screen(detector, f"the {use_says} request"))
    assert any(s.label == "minor" and s.fired for s in signals) is fired


def test_when_encoder_weights_differ_from_training_then_building_fails() -> None:
    fast, wide = FakeEncoder("use"), FakeEncoder("e5")
    model = fake_model(fast, wide)
    other = FakeEncoder("other")
    with pytest.raises(ConfigError, match="trained on"):
        PromptSemanticDetector(other, wide, model, NoCues())


def test_when_the_shipped_artefact_loads_then_it_names_encoders_and_thresholds() -> None:
    model = SemanticModel.load()
    assert f"prompt_sem-{model.version}.npz" == MODEL_FILE
    assert model.sha256 == MODEL_SHA256[model.version]
    assert model.labels == LABELS
    assert set(model.encoders) == {"use", "e5"}
    for ref in model.encoders.values():
        assert isinstance(ref, ModelRef) and re.fullmatch(r"sha256:[0-9a-f]{64}", ref.revision)
    assert model.heads["use"][0].shape == (4, 512)
    assert model.heads["e5"][0].shape == (4, 384)
    assert ((model.lower > 0) & (model.lower <= model.upper) & (model.upper < 1)).all()
