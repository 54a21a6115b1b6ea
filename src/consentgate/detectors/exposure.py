"""Which body parts count as nudity or as revealing, and what an edit changed.

Pure functions over NudeNet's part detections, so that the harmful side can
be tested with made-up detections and no imagery.

Nudity: an exposed breast, genitalia, buttocks or anus at ``NUDITY_THRESHOLD``.

Revealing (swimwear, underwear): a covered part does not count on its own. An
ordinary evening dress or a fitted top is "FEMALE_BREAST_COVERED" to the
model, and counting it made a clothed adult beside a child an escalation. The
rule: a covered intimate part (``INTIMATE_COVERED``: breast, genitalia or
buttocks, at ``REVEALING_THRESHOLD``) counts only together with exposed
midriff skin (``BELLY_EXPOSED`` at ``SKIN_THRESHOLD``) of the same person, the
pattern of a bikini or of underwear. Same person: both parts belong to the
same face (``persons``), or, when either belongs to no visible face, the two
boxes are near each other (``persons.near``). The score is the weaker of the
two parts. Accepted misses: a one-piece swimsuit or a slip covering the belly;
a prompt asking for either is the prompt screen's to catch.

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
from consentgate.detectors.vision.persons import near
from consentgate.records import Label

NUDITY_THRESHOLD = 0.5
EDIT_NUDITY_THRESHOLD = 0.35
REVEALING_THRESHOLD = 0.5
SKIN_THRESHOLD = 0.5
SOURCE_PRESENT = 0.3  # a part "was in the source" from this score up

COVERED_FORM = {
    "FEMALE_BREAST_EXPOSED": "FEMALE_BREAST_COVERED",
    "FEMALE_GENITALIA_EXPOSED": "FEMALE_GENITALIA_COVERED",
    "BUTTOCKS_EXPOSED": "BUTTOCKS_COVERED",
    "ANUS_EXPOSED": "ANUS_COVERED",
    "MALE_GENITALIA_EXPOSED": "",
}
NUDITY_PARTS = frozenset(COVERED_FORM)
INTIMATE_COVERED = frozenset(
    {"FEMALE_BREAST_COVERED", "FEMALE_GENITALIA_COVERED", "BUTTOCKS_COVERED"}
)
EXPOSED_SKIN = frozenset({"BELLY_EXPOSED"})
# Not used alone: faces, feet, armpits, belly, male chest (ordinary beach and sports photos).


@dataclass(frozen=True, slots=True)
class Finding:
    label: Label
    part: Part
    score: float
    threshold: float
    note: str
    person: int | None = None  # the face the part belongs to (see ``persons``)

    @property
    def fired(self) -> bool:
        return self.score >= self.threshold


def findings(
    parts: Sequence[Part],
    source: Sequence[Part] | None = None,
    persons: Sequence[int | None] | None = None,
) -> list[Finding]:
    """Every finding that reaches its threshold.

    ``source``: the edit's source parts; ``persons``: the face each part belongs to.
    """
    owners = tuple(persons) if persons is not None else (None,) * len(parts)
    in_source = {p.name for p in source or () if p.score >= SOURCE_PRESENT}
    out: list[Finding] = []
    for part, person in zip(parts, owners, strict=True):
        if part.name in NUDITY_PARTS:
            threshold, note = NUDITY_THRESHOLD, f"{part.name} {part.score:.2f}"
            if source is not None:
                threshold, note = _compared(part, in_source, note)
            out.append(Finding(Label.NUDITY, part, part.score, threshold, note, person))
    out += revealing(parts, owners)
    return [f for f in out if f.fired]


def could_fire(parts: Sequence[Part]) -> bool:
    """Whether any finding could reach its threshold, whoever each part belongs to.

    Only then does it matter whose the parts are, so only then is the face
    finder asked (``nudity.part_persons``): on an ordinary photo NudeNet reports
    faces, feet or a covered chest that can never be a finding, and finding its
    faces would cost more than NudeNet itself. Exact, not a heuristic: a
    nudity part below the lowest threshold it can have, or a covered intimate
    part with no exposed midriff of its frame beside it, fires for nobody.
    """
    lowest = min(NUDITY_THRESHOLD, EDIT_NUDITY_THRESHOLD)
    if any(p.name in NUDITY_PARTS and p.score >= lowest for p in parts):
        return True
    skin = {p.position for p in parts if p.name in EXPOSED_SKIN and p.score >= SKIN_THRESHOLD}
    return any(
        p.name in INTIMATE_COVERED and p.score >= REVEALING_THRESHOLD and p.position in skin
        for p in parts
    )


def revealing(parts: Sequence[Part], persons: Sequence[int | None]) -> list[Finding]:
    """Covered intimate parts that come with exposed midriff skin of the same person."""
    skin = [
        (p, who)
        for p, who in zip(parts, persons, strict=True)
        if p.name in EXPOSED_SKIN and p.score >= SKIN_THRESHOLD
    ]
    out: list[Finding] = []
    for part, person in zip(parts, persons, strict=True):
        if part.name not in INTIMATE_COVERED:
            continue
        mates = [(s, who) for s, who in skin if _same_person(part, person, s, who)]
        if mates:
            best, _ = max(mates, key=lambda m: m[0].score)
            score = min(part.score, best.score)
            note = f"{part.name} {part.score:.2f} with {best.name} {best.score:.2f}, same person"
            finding = Finding(Label.BODY_REVEALING, part, score, REVEALING_THRESHOLD, note, person)
            out.append(finding)
    return out


def _same_person(a: Part, a_person: int | None, b: Part, b_person: int | None) -> bool:
    if a.position != b.position:
        return False
    if a_person is not None and b_person is not None:
        return a_person == b_person
    return near(a.box, b.box)


def _compared(part: Part, in_source: set[str], note: str) -> tuple[float, str]:
    covered = COVERED_FORM[part.name]
    if covered and covered in in_source:
        return EDIT_NUDITY_THRESHOLD, f"{note}; covered in the source, exposed in the output"
    if part.name in in_source:
        return NUDITY_THRESHOLD, f"{note}; already exposed in the source"
    return NUDITY_THRESHOLD, f"{note}; exposed in the output, absent from the source"
