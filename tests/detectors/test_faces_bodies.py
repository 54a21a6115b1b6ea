"""People without a found face, from fake body-part detections."""

from __future__ import annotations

import pytest

from consentgate.detectors.vision.bodies import faceless_bodies
from consentgate.detectors.vision.nudenet import Part

FACE = (100.0, 20.0, 140.0, 60.0)  # a found face; its body region reaches x 20-220, y 10-320


def part(name: str, x: float, y: float, score: float = 0.6, position: int = 0) -> Part:
    return Part(name, score, (x, y, x + 40.0, y + 40.0), position)


@pytest.mark.parametrize(
    ("parts", "faces", "expected"),
    [
        # a back view: covered belly and feet of one body, no face found
        ([part("BELLY_COVERED", 400, 200), part("ARMPITS_COVERED", 400, 150)], [], 1),
        # one covered part alone is not a person
        ([part("BELLY_COVERED", 400, 200)], [], 0),
        # a face NudeNet sees and the face finder missed (a profile) is a person
        ([part("FACE_MALE", 400, 40, 0.7)], [], 1),
        # ... unless NudeNet is unsure of it (it scored a dog's face 0.50)
        ([part("FACE_FEMALE", 400, 40, 0.5)], [], 0),
        # the same face over a found face is that face's, not another person
        ([part("FACE_MALE", 100, 20)], [FACE], 0),
        # parts under a found face belong to its body
        ([part("BELLY_COVERED", 100, 150), part("FEET_COVERED", 110, 280)], [FACE], 0),
        # weak parts do not count
        ([part("BELLY_COVERED", 400, 200, 0.3), part("FEET_COVERED", 400, 150, 0.3)], [], 0),
        # two bodies far apart
        (
            [
                part("BELLY_COVERED", 400, 200),
                part("ARMPITS_COVERED", 400, 150),
                part("BELLY_COVERED", 900, 200),
                part("FEET_COVERED", 900, 250),
            ],
            [],
            2,
        ),
        # parts far apart are not one body
        ([part("BELLY_COVERED", 400, 200), part("FEET_COVERED", 900, 600)], [], 0),
    ],
)
def test_when_parts_belong_to_no_face_then_grouped_into_people(
    parts: list[Part], faces: list[tuple[float, float, float, float]], expected: int
) -> None:
    assert len(faceless_bodies(parts, {0: faces})) == expected


def test_when_a_body_is_found_then_its_box_is_the_union_and_score_the_best_part() -> None:
    (body,) = faceless_bodies(
        [part("BELLY_COVERED", 400, 200, 0.5), part("ARMPITS_COVERED", 420, 150, 0.8)], {}
    )
    assert body.box == (400.0, 150.0, 460.0, 240.0)
    assert body.score == pytest.approx(0.8)
    assert body.parts == ("ARMPITS_COVERED", "BELLY_COVERED")


def test_when_parts_are_in_different_frames_then_they_are_not_one_body() -> None:
    parts = [
        part("BELLY_COVERED", 400, 200, position=0),
        part("FEET_COVERED", 400, 230, position=1),
    ]
    assert faceless_bodies(parts, {}) == ()
    both = [*parts, part("ARMPITS_COVERED", 400, 150, position=1)]
    assert [body.position for body in faceless_bodies(both, {})] == [1]
