"""Character n-grams of a normalised prompt: the features of the prompt classifier.

One function serves training (scripts/train_prompt_model.py) and inference
(detectors/prompt_classifier.py), so the two can never drift apart. Words are
taken from every reading of the prompt, each distinct word once: the disguised
and undisguised spellings both contribute, and the cost stays proportional to
the prompt, not to the number of readings.
"""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.text.normalised import NormalisedText

NGRAM_MIN = 2
NGRAM_MAX = 4


def words_of(text: NormalisedText) -> list[str]:
    seen: dict[str, None] = {}
    for reading in text.readings:
        for word in reading.split():
            seen.setdefault(word, None)
    return list(seen)


def char_ngrams(words: Iterable[str], lo: int = NGRAM_MIN, hi: int = NGRAM_MAX) -> list[str]:
    """Word-bounded character n-grams (like scikit-learn's ``char_wb`` analyser)."""
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in range(lo, hi + 1):
            if n > size:
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def prompt_features(text: NormalisedText) -> list[str]:
    return char_ngrams(words_of(text))
