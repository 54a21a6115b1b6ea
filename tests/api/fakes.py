"""Fake detectors for the API tests: the harmful side is simulated, never real."""

from __future__ import annotations

from collections.abc import Sequence

from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.hash_match import HashMatchDetector
from consentgate.detectors.prompt_conversation import PromptConversationDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import Evidence, Signal, Target
from consentgate.settings import Settings
from tests.fakes import CoversAllFake

WORDS = {
    "bikini": "sexualising_edit",
    "undress": "sexualising_edit",
    "explicit": "sexual_explicit",
    "ignore your rules": "jailbreak",
}


class WordsFake(Detector):
    """Emits a label on the prompt for each listed word it contains."""

    name = "words_fake"
    version = "0-test"
    targets = frozenset({Target.PROMPT})

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        assert inp.text is not None
        return [
            self.signal(label, Target.PROMPT, 0.99, 0.5, Evidence(span=word, term=word))
            for word, label in WORDS.items()
            if word in inp.text.text
        ]


class PersonFake(Detector):
    """Says every source photo shows a real person (a stand-in for the face detector)."""

    name = "person_fake"
    version = "0-test"
    targets = frozenset({Target.SOURCE_IMAGE})

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        return [self.signal("real_person", Target.SOURCE_IMAGE, 0.9, 0.5)]


class BrokenFake(Detector):
    """Fails on prompts containing 'crash' (an explicit outcome: review, never allow)."""

    name = "broken_fake"
    version = "0-test"
    targets = frozenset({Target.PROMPT})

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        assert inp.text is not None
        if "crash" in inp.text.text:
            raise RuntimeError("/secret/model/path is corrupt")
        return []


def fake_engine(settings: Settings, context: DetectorContext) -> ScreeningEngine:
    """Fakes for the models; the real hash matcher and conversation detector (data, no
    model), the matcher wired to the banks."""
    hashes = HashMatchDetector.from_context(context)
    conversation = PromptConversationDetector()
    registry = DetectorRegistry(
        [WordsFake(), PersonFake(), BrokenFake(), hashes, conversation, CoversAllFake()]
    )
    return ScreeningEngine(registry, load_policy(settings.policy_path), settings=settings)
