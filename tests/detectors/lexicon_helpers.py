"""Shared by the prompt-lexicon tests: the labels the lexicon gives one prompt."""

from __future__ import annotations

from consentgate.detectors.base import ScreenInput
from consentgate.detectors.prompt_lexicon import PromptLexiconDetector
from consentgate.records import Mode, ScreenRequest
from consentgate.text.normalise import normalise

SEXUAL = {"sexual_explicit", "sexualising_edit"}


def labels(detector: PromptLexiconDetector, prompt: str) -> set[str]:
    """The labels the lexicon gives an edit-mode prompt."""
    inp = ScreenInput(request=ScreenRequest(mode=Mode.EDIT, prompt=prompt), text=normalise(prompt))
    return {s.label for s in detector.detect(inp)}
