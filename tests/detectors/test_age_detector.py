"""The age detector on fake faces and fake age readings: bands, persons, small faces, cap."""

from __future__ import annotations

import numpy as np
import pytest

from consentgate.detectors import age as age_module
from consentgate.detectors.age import MAX_FACES, AgeDetector
from consentgate.detectors.base import ScreenInput
from consentgate.detectors.vision.age_calibration import AgeCalibration, Platt, SizeBand
from consentgate.detectors.vision.age_model import AgeEstimate
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.images.decoded import DecodedImage
from consentgate.records import Label, Mode, ScreenRequest, Signal, Target
from tests.fakes import FakeFaces

MINOR, REVIEW = 0.6, 0.2
CALIBRATION = AgeCalibration("test", Platt(1.0, 0.0), Platt(1.0, 0.0), MINOR, REVIEW, "tests")


class FakeAges:
    """P(under 18) read from the face's left edge: face at x = 10 * k gets ``by_x[k]``."""

    def __init__(self, by_x: dict[int, float]) -> None:
        self.by_x = by_x
        self.read: list[int] = []

    def estimate(self, frame: np.ndarray, faces: list[RawFace]) -> list[AgeEstimate]:  # type: ignore[type-arg]
        out = []
        for f in faces:
            key = round(f.box[0] / 10)
            self.read.append(key)
            p = self.by_x.get(key, 0.01)
            out.append(AgeEstimate(12.0 if p > 0.5 else 40.0, p, p / 2))
        return out


def face(k: int, size: float = 60.0, keypoints: bool = True) -> RawFace:
    points = ((0.0, 0.0),) * 6 if keypoints else ()
    return RawFace((10.0 * k, 20.0, 10.0 * k + size, 20.0 + size), 0.9, points)


def screen(faces: list[RawFace], ages: FakeAges, monkeypatch: pytest.MonkeyPatch) -> list[Signal]:
    monkeypatch.setattr(age_module, "face_finder", lambda: FakeFaces(faces))
    monkeypatch.setattr(age_module, "age_model", lambda: ages)
    frame = np.zeros((200, 400, 3), dtype=np.uint8)
    image = DecodedImage("PNG", 400, 200, (frame,), 1.0, "m", "s")
    inp = ScreenInput(ScreenRequest(mode=Mode.EDIT), source=image)
    return list(AgeDetector(CALIBRATION).detect(inp))


BANDS = [
    ("adult", [face(0)], {0: 0.02}, False, False, "P(under 18) = 0.02"),
    ("confident minor", [face(0)], {0: 0.8}, True, False, "P(under 13) = 0.40"),
    ("uncertain age", [face(0)], {0: 0.4}, False, True, "estimated age 40"),
    ("face too small to read", [face(0, size=12)], {0: 0.99}, False, True, "too small"),
]


@pytest.mark.parametrize(
    ("case", "faces", "p", "fired", "uncertain", "note"), BANDS, ids=[c[0] for c in BANDS]
)
def test_when_one_face_then_its_band_decides_fired_or_uncertain(
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    faces: list[RawFace],
    p: dict[int, float],
    fired: bool,
    uncertain: bool,
    note: str,
) -> None:
    (signal,) = screen(faces, FakeAges(p), monkeypatch)
    assert signal.label == Label.POSSIBLE_MINOR and signal.target == Target.SOURCE_IMAGE
    assert (signal.fired, signal.uncertain) == (fired, uncertain)
    assert (signal.threshold, signal.review_threshold) == (MINOR, REVIEW)
    assert signal.evidence[0].person == 0
    assert note in (signal.evidence[0].note or "")


def test_when_adult_minor_and_uncertain_faces_then_one_signal_per_band_naming_its_persons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    faces = [face(0), face(10), face(20), face(30)]
    signals = screen(faces, FakeAges({0: 0.02, 10: 0.9, 20: 0.3, 30: 0.7}), monkeypatch)
    by_band = {
        ("fired" if s.fired else "uncertain" if s.uncertain else "clear"): s for s in signals
    }
    assert len(signals) == 3
    assert {e.person for e in by_band["fired"].evidence} == {1, 3}
    assert by_band["fired"].score == pytest.approx(0.9)
    assert {e.person for e in by_band["uncertain"].evidence} == {2}
    assert {e.person for e in by_band["clear"].evidence} == {0}


def test_when_more_faces_than_the_cap_then_the_largest_are_read_and_the_rest_uncertain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    faces = [face(k, size=30.0 if k < 5 else 60.0) for k in range(MAX_FACES + 5)]
    ages = FakeAges({})
    signals = screen(faces, ages, monkeypatch)
    assert sorted(ages.read) == list(range(5, MAX_FACES + 5))  # the five smallest were skipped
    (unread,) = [s for s in signals if s.uncertain]
    assert sorted(e.person or 0 for e in unread.evidence) == [0, 1, 2, 3, 4]
    assert all("past the face cap" in (e.note or "") for e in unread.evidence)
    assert not any(s.fired for s in signals)


def test_when_no_face_then_age_detector_is_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    assert screen([], FakeAges({0: 0.9}), monkeypatch) == []


def test_when_face_has_no_keypoints_then_it_is_still_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (signal,) = screen([face(0, keypoints=False)], FakeAges({0: 0.9}), monkeypatch)
    assert signal.fired and signal.evidence[0].person == 0


def test_when_detector_built_then_model_names_the_calibration_version() -> None:
    assert "age_calibration-test" in AgeDetector(CALIBRATION).model.id


def test_when_faces_differ_in_size_then_each_is_calibrated_by_its_size_band(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down, up = Platt(1.0, -3.0), Platt(1.0, 3.0)
    bands = (SizeBand(48.0, down, down), SizeBand(None, up, up))
    cal = AgeCalibration("banded", Platt(1.0, 0.0), Platt(1.0, 0.0), MINOR, REVIEW, "t", bands)
    monkeypatch.setattr(age_module, "face_finder", lambda: FakeFaces([face(0, 30.0), face(10)]))
    monkeypatch.setattr(age_module, "age_model", lambda: FakeAges({0: 0.5, 10: 0.5}))
    image = DecodedImage("PNG", 400, 200, (np.zeros((200, 400, 3), np.uint8),), 1.0, "m", "s")
    signals = AgeDetector(cal).detect(ScreenInput(ScreenRequest(mode=Mode.EDIT), source=image))
    by_person = {e.person: s for s in signals for e in s.evidence}
    assert not by_person[0].fired and not by_person[0].uncertain  # small: 0.05, read as adult
    assert by_person[1].fired  # large: 0.95
