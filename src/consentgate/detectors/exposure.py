"""Which body parts count as nudity or as revealing, and what an edit changed.

Pure functions over NudeNet's part detections, so that the harmful side can
be tested with made-up detections and no imagery.

Edit comparison: when an edit's output is screened together with its source,
an exposed part in the output whose covered form was in the source is the
"undressing" pattern (a person who was clothed now is not). Such a part needs
less confidence to count (``EDIT_NUDITY_THRESHOLD``) and its evidence says so;
an exposed part that was absent from the source is noted as new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from consentgate.detectors.vision.nudenet import Part
from consentgate.records import Label

NUDITY_THRESHOLD = 0.5
EDIT_NUDITY_THRESHOLD = 0.35
REVEALING_THRESHOLD = 0.5
SOURCE_PRESENT = 0.3  # a part "was in the source" from this score up

COVERED_FORM = {
    "FEMALE_BREAST_EXPOSED": "FEMALE_BREAST_COVERED",
    "FEMALE_GENITALIA_EXPOSED": "FEMALE_GENITALIA_COVERED",
    "BUTTOCKS_EXPOSED": "BUTTOCKS_COVERED",
    "ANUS_EXPOSED": "ANUS_COVERED",
    "MALE_GENITALIA_EXPOSED": "",
}
NUDITY_PARTS = frozenset(COVERED_FORM)
REVEALING_PARTS = frozenset(v for v in COVERED_FORM.values() if v)
# Not used: faces, feet, armpits, belly, male chest (ordinary beach and sports photos).


@dataclass(frozen=True, slots=True)
class Finding:
    label: Label
    part: Part
    threshold: float
    note: str

    @property
    def fired(self) -> bool:
        return self.part.score >= self.threshold


def findings(parts: Sequence[Part], source: Sequence[Part] | None = None) -> list[Finding]:
    """Every part that reaches its label's threshold. ``source``: the edit's source parts."""
    in_source = {p.name for p in source or () if p.score >= SOURCE_PRESENT}
    out: list[Finding] = []
    for part in parts:
        if part.name in NUDITY_PARTS:
            threshold, note = NUDITY_THRESHOLD, f"{part.name} {part.score:.2f}"
            if source is not None:
                threshold, note = _compared(part, in_source, note)
            out.append(Finding(Label.NUDITY, part, threshold, note))
        elif part.name in REVEALING_PARTS:
            note = f"{part.name} {part.score:.2f}"
            out.append(Finding(Label.BODY_REVEALING, part, REVEALING_THRESHOLD, note))
    return [f for f in out if f.fired]


def _compared(part: Part, in_source: set[str], note: str) -> tuple[float, str]:
    covered = COVERED_FORM[part.name]
    if covered and covered in in_source:
        return EDIT_NUDITY_THRESHOLD, f"{note}; covered in the source, exposed in the output"
    if part.name in in_source:
        return NUDITY_THRESHOLD, f"{note}; already exposed in the source"
    return NUDITY_THRESHOLD, f"{note}; exposed in the output, absent from the source"
