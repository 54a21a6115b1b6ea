"""Which face a body part belongs to, on made-up boxes (x0, y0, x1, y1)."""

from __future__ import annotations

import pytest

from consentgate.detectors.vision.persons import Box, near, owner, owners

ADULT = (100.0, 50.0, 140.0, 100.0)  # a 40 x 50 face
CHILD = (230.0, 150.0, 262.0, 190.0)  # smaller and lower: a child beside the adult
CLOSE_CHILD = (150.0, 150.0, 182.0, 190.0)  # a child's face level with the adult's chest
FAR = (600.0, 50.0, 640.0, 100.0)

OWNERS = [
    ("chest under the only face", [ADULT], (105.0, 170.0, 135.0, 200.0), 0),
    ("belly under the only face", [ADULT], (105.0, 230.0, 135.0, 260.0), 0),
    ("part above the face", [ADULT], (105.0, 0.0, 135.0, 20.0), None),
    ("part far to the side", [ADULT], (300.0, 170.0, 330.0, 200.0), None),
    ("part below the feet", [ADULT], (105.0, 500.0, 135.0, 520.0), None),
    ("no faces at all", [], (105.0, 170.0, 135.0, 200.0), None),
    ("adult's chest beside a child's face", [ADULT, CHILD], (105.0, 170.0, 140.0, 200.0), 0),
    ("child's chest under the child's face", [ADULT, CHILD], (232.0, 240.0, 260.0, 262.0), 1),
    (
        "adult's chest, child's face just beside it",
        [ADULT, CLOSE_CHILD],
        (105.0, 170.0, 140.0, 200.0),
        0,
    ),
    ("child's chest, adult's face above", [ADULT, CLOSE_CHILD], (152.0, 220.0, 180.0, 245.0), 1),
    ("between two faces, nearer the second", [ADULT, FAR], (560.0, 170.0, 600.0, 200.0), 1),
    ("order of faces does not matter", [CHILD, ADULT], (105.0, 170.0, 140.0, 200.0), 1),
]


@pytest.mark.parametrize(("case", "faces", "part", "expected"), OWNERS, ids=[c[0] for c in OWNERS])
def test_when_part_lies_in_a_body_region_then_nearest_face_owns_it(
    case: str, faces: list[Box], part: Box, expected: int | None
) -> None:
    assert owner(part, faces) == expected


def test_when_several_parts_then_owners_keeps_their_order() -> None:
    parts = [(232.0, 240.0, 260.0, 262.0), (105.0, 0.0, 135.0, 20.0), (105.0, 170.0, 140.0, 200.0)]
    assert owners(parts, [ADULT, CHILD]) == (1, None, 0)


NEAR = [
    ("breast above belly", (100.0, 100.0, 140.0, 130.0), (100.0, 150.0, 140.0, 180.0), True),
    ("overlapping", (100.0, 100.0, 140.0, 130.0), (120.0, 110.0, 160.0, 140.0), True),
    ("two people apart", (100.0, 100.0, 140.0, 130.0), (300.0, 150.0, 340.0, 180.0), False),
    ("far below", (100.0, 100.0, 140.0, 130.0), (100.0, 300.0, 140.0, 330.0), False),
]


@pytest.mark.parametrize(("case", "a", "b", "expected"), NEAR, ids=[c[0] for c in NEAR])
def test_when_parts_belong_to_no_face_then_near_decides_one_body(
    case: str, a: Box, b: Box, expected: bool
) -> None:
    assert near(a, b) is expected
    assert near(b, a) is expected
