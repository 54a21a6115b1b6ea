"""What one turn of a conversation says, read alone: the records the sequence rule reads."""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.lexicon.scanner import Finding


@dataclass(frozen=True, slots=True)
class Removal:
    """A garment taken off in a turn: its layer (0 an accessory, 3 underwear) and the words."""

    layer: int
    span: str


@dataclass(frozen=True, slots=True)
class TurnReading:
    """What one turn says, read alone: lexicon findings and clothing cues."""

    text: str
    findings: tuple[Finding, ...]
    person: bool  # names or points to a person ("her", "the woman", a name)
    removals: tuple[Removal, ...]  # garments (or "it") taken off a person
    garments: tuple[Removal, ...]  # garments named, worn, with no verb ("now the shirt")
    underneath: str | None
    rest: str | None
    more: str | None  # a continuation that stands alone ("keep going", "more, so …")
    shrink: str | None
    removes_nothing: bool  # a removal verb with no object ("remove more")
    other_edit: bool  # puts clothes on or asks for another kind of edit
    lying: bool  # names a garment that nobody wears (on a chair, on a mannequin)
    content: int  # words that are none of the cues, fillers or polite words

    def labels(self) -> frozenset[str]:
        return frozenset(f.label for f in self.findings)
