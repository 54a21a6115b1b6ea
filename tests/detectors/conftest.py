"""Fixtures for detector tests."""

from __future__ import annotations

import pytest

from consentgate.detectors.prompt_lexicon import PromptLexiconDetector


@pytest.fixture(scope="module")
def detector() -> PromptLexiconDetector:
    """The prompt-lexicon detector (modules testing other detectors define their own)."""
    return PromptLexiconDetector()
