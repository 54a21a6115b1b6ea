"""Character n-grams and word n-grams of a normalised prompt: the classifier's features.

One function serves training (scripts/train_prompt_model.py) and inference
(detectors/prompt_classifier.py), so the two can never drift apart. Words are
taken from every reading of the prompt, each distinct word once: the disguised
and undisguised spellings both contribute, and the cost stays proportional to
the prompt, not to the number of readings.

Word unigrams and bigrams (``w:her``, ``b:her_bra``) sit beside the character
n-grams: character n-grams carry spelling and inflection across languages, the
word pairs carry phrasing ("forgot to", "under the") that no single word shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from consentgate.text.normalised import NormalisedText

NGRAM_MIN = 2
NGRAM_MAX = 4
SKIP_WINDOW = 3  # word pairs up to this far apart ("bikini ... dress")


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


def word_grams(text: NormalisedText, check: Callable[[], None] | None = None) -> list[str]:
    """Distinct word unigrams, adjacent-word bigrams and the last word, over every reading.

    The last word matters on its own: in a swap it is the garment asked for
    ("swap her bikini for a [dress]"), in an edit often the change ("... bigger").
    ``check`` is called before each reading and may raise to give up.
    """
    seen: dict[str, None] = {}
    for reading in text.readings:
        if check is not None:
            check()
        words = reading.split()
        for word in words:
            seen.setdefault(f"w:{word}", None)
        for left, right in itertools.pairwise(words):
            seen.setdefault(f"b:{left}_{right}", None)
        for i, left in enumerate(words):
            for right in words[i + 2 : i + 1 + SKIP_WINDOW]:
                seen.setdefault(f"s:{left}_{right}", None)
        if words:
            seen.setdefault(f"e:{words[-1]}", None)
    return list(seen)


def prompt_features(text: NormalisedText) -> list[str]:
    return char_ngrams(words_of(text)) + word_grams(text)
