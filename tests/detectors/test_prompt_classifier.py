"""The learned prompt classifier: a versioned numpy artefact that scores like it was trained."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from consentgate.detectors.base import ScreenInput
from consentgate.detectors.prompt_classifier import (
    ALONE_FLOOR,
    MODEL_VERSION,
    PromptClassifierDetector,
    PromptModel,
)
from consentgate.records import ScreenRequest
from consentgate.text.ngrams import char_ngrams, prompt_features, word_grams
from consentgate.text.normalise import normalise

# The shipped artefact, pinned: retraining must come with a new version.
MODEL_SHA256 = {"1.1.0": "384d3ec0d833fee1cc4524f5d50623cb4c9e3b0f64bb34866cca3dc451da3438"}


@pytest.fixture(scope="module")
def model() -> PromptModel:
    return PromptModel.load()


def detect(detector: PromptClassifierDetector, prompt: str) -> dict[str, float]:
    inp = ScreenInput(request=ScreenRequest(prompt=prompt), text=normalise(prompt))
    return {s.label: s.score for s in detector.detect(inp)}


def test_when_model_loads_then_it_is_versioned_with_heads_and_thresholds(
    model: PromptModel,
) -> None:
    assert model.version == MODEL_VERSION
    assert model.heads == ("sexual_explicit", "sexualising_edit", "minor")
    assert len(model.sha256) == 64
    assert model.weights.shape == (3, len(model.index))
    assert all(0.5 <= t < 1.0 for t in model.thresholds)


def test_when_model_loads_then_its_checksum_is_the_pinned_one(model: PromptModel) -> None:
    assert MODEL_VERSION == "1.1.0"
    assert model.sha256 == MODEL_SHA256[MODEL_VERSION]


def test_when_scoring_by_counts_or_by_ngrams_then_probabilities_agree(model: PromptModel) -> None:
    grams = prompt_features(normalise("put her in a tiny bikini"))
    counts = Counter(model.index[g] for g in grams if g in model.index)
    assert np.allclose(model.scores(grams), model.scores_of(counts))


def test_when_a_prompt_has_no_known_ngram_then_scores_are_the_intercepts(
    model: PromptModel,
) -> None:
    expected = 1 / (1 + np.exp(-model.intercepts.astype(np.float64)))
    assert np.allclose(model.scores(["\x00never\x00"]), expected)


@pytest.mark.parametrize(
    ("prompt", "label"),
    [
        ("a nude woman on a bed", "sexual_explicit"),
        ("a naked woman in the shower", "sexual_explicit"),
    ],
)
def test_when_prompt_is_plainly_explicit_then_the_head_scores_it_above_its_threshold(
    prompt: str, label: str
) -> None:
    detector, text = PromptClassifierDetector(), normalise(prompt)
    trained = PromptModel.load().thresholds[PromptModel.load().heads.index(label)]
    assert detector.probabilities(text, lambda: None)[label] >= trained


@pytest.mark.parametrize(
    "prompt",
    [
        "a lighthouse at dusk",
        "remove the background",
        "put her in a wedding dress",
        "the naked truth about pensions",
        "make her eyes bigger",
        "swap her bikini for a winter coat",
        "kids playing football in the park",
    ],
)
def test_when_prompt_is_benign_then_no_head_fires(prompt: str) -> None:
    assert detect(PromptClassifierDetector(), prompt) == {}


def test_when_a_head_fires_then_the_signal_carries_its_own_threshold() -> None:
    detector = PromptClassifierDetector()
    inp = ScreenInput(request=ScreenRequest(prompt="a nude woman"), text=normalise("a nude woman"))
    (signal,) = [s for s in detector.detect(inp) if s.label == "sexual_explicit"]
    assert signal.fired
    trained = float(PromptModel.load().thresholds[0])
    assert signal.threshold == pytest.approx(max(trained, ALONE_FLOOR[signal.label]), abs=1e-6)


def test_when_ngrams_are_made_then_they_are_word_bounded() -> None:
    assert char_ngrams(["ab"], 2, 3) == [" a", "ab", "b ", " ab", "ab "]


def test_when_word_grams_are_made_then_words_pairs_near_pairs_and_the_last_word_appear() -> None:
    grams = word_grams(normalise("swap her bikini for a dress"))
    assert {"w:bikini", "b:her_bikini", "s:bikini_a", "e:dress"} <= set(grams)
    assert len(grams) == len(set(grams))


def test_when_the_detector_is_imported_then_scikit_learn_is_not() -> None:
    code = (
        "import sys; from consentgate.detectors.prompt_classifier import PromptClassifierDetector;"
        "PromptClassifierDetector(); print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
