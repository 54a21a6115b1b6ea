"""Normalise a prompt before any rule or model sees it (policy R7)."""

from __future__ import annotations

import unicodedata

from consentgate.text.normalised import NormalisedText


def normalise(text: str) -> NormalisedText:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return NormalisedText(original=text, text=" ".join(folded.split()))
