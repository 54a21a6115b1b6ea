"""Nudity and revealing parts, and the edit comparison, on made-up part detections."""

from __future__ import annotations

import pytest

from consentgate.detectors.exposure import findings
from consentgate.detectors.vision.nudenet import Part
from consentgate.records import Label


def part(name: str, score: float) -> Part:
    return Part(name, score, (10.0, 10.0, 50.0, 50.0))


CASES = [
    ("exposed breast, no source", [part("FEMALE_BREAST_EXPOSED", 0.7)], None, Label.NUDITY, ""),
    ("covered breast", [part("FEMALE_BREAST_COVERED", 0.6)], None, Label.BODY_REVEALING, ""),
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
]


@pytest.mark.parametrize(("case", "out", "source"), IGNORED, ids=[c[0] for c in IGNORED])
def test_when_part_is_ordinary_or_weak_then_no_finding(
    case: str, out: list[Part], source: list[Part] | None
) -> None:
    assert findings(out, source) == []
