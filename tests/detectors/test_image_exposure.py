"""Nudity and revealing parts, and the edit comparison, on made-up part detections."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentgate.detectors.exposure import (
    EXPOSED_SKIN,
    INTIMATE_COVERED,
    NUDITY_PARTS,
    could_fire,
    findings,
)
from consentgate.detectors.vision.nudenet import Part
from consentgate.records import Label


def part(
    name: str,
    score: float,
    box: tuple[float, float, float, float] = (10.0, 10.0, 50.0, 50.0),
    position: int = 0,
) -> Part:
    return Part(name, score, box, position)


CHEST = (100.0, 100.0, 140.0, 130.0)
BELLY = (100.0, 150.0, 140.0, 180.0)  # under the chest: one body
AWAY = (400.0, 150.0, 440.0, 180.0)  # another person's belly


CASES = [
    ("exposed breast, no source", [part("FEMALE_BREAST_EXPOSED", 0.7)], None, Label.NUDITY, ""),
    ("exposed genitalia", [part("MALE_GENITALIA_EXPOSED", 0.8)], None, Label.NUDITY, ""),
    (
        "covered in source, exposed at low score in output",
        [part("FEMALE_BREAST_EXPOSED", 0.4)],
        [part("FEMALE_BREAST_COVERED", 0.6)],
        Label.NUDITY,
        "covered in the source, exposed in the output",
    ),
    (
        "absent from source",
        [part("BUTTOCKS_EXPOSED", 0.6)],
        [],
        Label.NUDITY,
        "absent from the source",
    ),
    (
        "already exposed in source",
        [part("BUTTOCKS_EXPOSED", 0.6)],
        [part("BUTTOCKS_EXPOSED", 0.7)],
        Label.NUDITY,
        "already exposed in the source",
    ),
]


@pytest.mark.parametrize(
    ("case", "out", "source", "label", "note"), CASES, ids=[c[0] for c in CASES]
)
def test_when_part_reaches_threshold_then_finding_with_label_and_note(
    case: str, out: list[Part], source: list[Part] | None, label: Label, note: str
) -> None:
    found = findings(out, source)
    assert [f.label for f in found] == [label]
    assert note in found[0].note


IGNORED = [
    ("face", [part("FACE_FEMALE", 0.9)], None),
    (
        "feet, belly, armpits, male chest",
        [
            part("FEET_EXPOSED", 0.9),
            part("BELLY_EXPOSED", 0.9),
            part("ARMPITS_EXPOSED", 0.9),
            part("MALE_BREAST_EXPOSED", 0.9),
        ],
        None,
    ),
    ("weak exposed part", [part("FEMALE_BREAST_EXPOSED", 0.4)], None),
    ("weak exposed part, source had no covered form", [part("FEMALE_BREAST_EXPOSED", 0.4)], []),
    ("weak covered part", [part("BUTTOCKS_COVERED", 0.45)], None),
    ("evening dress: covered breast alone", [part("FEMALE_BREAST_COVERED", 0.9)], None),
    (
        "covered parts alone",
        [part("FEMALE_GENITALIA_COVERED", 0.8), part("BUTTOCKS_COVERED", 0.8)],
        None,
    ),
]


@pytest.mark.parametrize(("case", "out", "source"), IGNORED, ids=[c[0] for c in IGNORED])
def test_when_part_is_ordinary_or_weak_then_no_finding(
    case: str, out: list[Part], source: list[Part] | None
) -> None:
    assert findings(out, source) == []


Persons = list[int | None] | None

REVEALING = [
    (
        "bikini: covered breast and exposed belly below it",
        [part("FEMALE_BREAST_COVERED", 0.7, CHEST), part("BELLY_EXPOSED", 0.8, BELLY)],
        None,
        0.7,
    ),
    (
        "underwear: covered genitalia and exposed belly of face 0",
        [part("FEMALE_GENITALIA_COVERED", 0.9, AWAY), part("BELLY_EXPOSED", 0.6, CHEST)],
        [0, 0],
        0.6,
    ),
    (
        "covered buttocks and belly, near, no face",
        [part("BUTTOCKS_COVERED", 0.8, CHEST), part("BELLY_EXPOSED", 0.75, BELLY)],
        [None, None],
        0.75,
    ),
    (
        "dress on face 0, belly of face 1",
        [part("FEMALE_BREAST_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.9, BELLY)],
        [0, 1],
        None,
    ),
    (
        "dress and another person's belly, no faces",
        [part("FEMALE_BREAST_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.9, AWAY)],
        None,
        None,
    ),
    (
        "belly too weak",
        [part("FEMALE_BREAST_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.4, BELLY)],
        None,
        None,
    ),
    (
        "covered anus is not intimate here",
        [part("ANUS_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.9, BELLY)],
        None,
        None,
    ),
    (
        "other frame",
        [part("FEMALE_BREAST_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.9, BELLY, 1)],
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "parts", "persons", "score"), REVEALING, ids=[c[0] for c in REVEALING]
)
def test_when_covered_intimate_part_with_belly_of_same_person_then_body_revealing(
    case: str, parts: list[Part], persons: Persons, score: float | None
) -> None:
    found = [f for f in findings(parts, None, persons) if f.label == Label.BODY_REVEALING]
    if score is None:
        assert found == []
    else:
        (finding,) = found
        assert finding.score == pytest.approx(score)
        assert finding.part is parts[0] and "same person" in finding.note
        assert finding.person == (persons[0] if persons else None)


def test_when_parts_have_persons_then_nudity_findings_carry_them() -> None:
    parts = [part("FEMALE_BREAST_EXPOSED", 0.8, CHEST), part("BUTTOCKS_EXPOSED", 0.8, AWAY)]
    assert [f.person for f in findings(parts, None, [2, None])] == [2, None]


PART_NAMES = sorted(
    {*NUDITY_PARTS, *INTIMATE_COVERED, *EXPOSED_SKIN, "FACE_FEMALE", "FEET_EXPOSED", "ANUS_COVERED"}
)


@st.composite
def drawn_parts(draw: st.DrawFn) -> list[Part]:
    count = draw(st.integers(0, 5))
    return [
        part(
            draw(st.sampled_from(PART_NAMES)),
            draw(st.sampled_from([0.2, 0.34, 0.35, 0.45, 0.5, 0.7, 0.95])),
            draw(st.sampled_from([CHEST, BELLY, AWAY])),
            draw(st.integers(0, 1)),
        )
        for _ in range(count)
    ]


@settings(max_examples=300, deadline=None)
@given(parts=drawn_parts(), source=st.none() | drawn_parts(), data=st.data())
def test_when_no_part_could_fire_then_no_owner_makes_a_finding(
    parts: list[Part], source: list[Part] | None, data: st.DataObject
) -> None:
    """``could_fire`` false means: whoever the parts belong to, nothing is found (so the
    face finder need not be asked)."""
    owners = data.draw(
        st.lists(st.none() | st.integers(0, 2), min_size=len(parts), max_size=len(parts))
    )
    if could_fire(parts):
        return
    assert findings(parts, source, owners) == []
    assert findings(parts, source, None) == []


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([], False),
        ([part("FACE_FEMALE", 0.9), part("FEET_EXPOSED", 0.9)], False),  # an ordinary photo
        ([part("FEMALE_BREAST_COVERED", 0.9, CHEST)], False),  # covered, no midriff
        ([part("FEMALE_BREAST_EXPOSED", 0.34)], False),  # under every threshold
        ([part("FEMALE_BREAST_EXPOSED", 0.35)], True),  # an edit's output may count it
        ([part("FEMALE_BREAST_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.9, AWAY)], True),
        ([part("FEMALE_BREAST_COVERED", 0.9, CHEST), part("BELLY_EXPOSED", 0.9, BELLY, 1)], False),
    ],
)
def test_when_parts_are_read_then_only_possible_findings_need_their_owners(
    parts: list[Part], expected: bool
) -> None:
    assert could_fire(parts) is expected
