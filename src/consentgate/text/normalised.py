"""The normalised form of a prompt that every text rule and model sees (policy R7)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A prompt after disguise-proof normalisation.

    ``text`` is the canonical reading (folded, lower case, one space between
    words). ``variants`` are other readings that a disguise can hide behind, e.g.
    the text with single letters joined back up ("n u d e" → "nude").
    """

    original: str
    text: str
    variants: tuple[str, ...] = ()

    @property
    def readings(self) -> tuple[str, ...]:
        return (self.text, *self.variants)
