"""The normalised form of a prompt that every text rule and model sees (policy R7)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A prompt after disguise-proof normalisation.

    ``text`` is the canonical reading (NFKC, case-folded, invisible characters
    removed, emoji read as words, mixed-script words folded to one script, one
    space between words). ``variants`` are other readings that a disguise can
    hide behind: the original-script reading, everything folded to Latin without
    accents, leetspeak read as letters, spaced letters joined ("n u d e" →
    "nude"), repeated letters collapsed. ``disguises`` names the disguises seen
    (e.g. ``homoglyph``, ``zero_width``, ``hidden_characters``, ``leetspeak``),
    for reviewers and for the decision's ``disguises``.
    """

    original: str
    text: str
    variants: tuple[str, ...] = ()
    disguises: tuple[str, ...] = ()

    @property
    def readings(self) -> tuple[str, ...]:
        return (self.text, *self.variants)
