"""Faces detector: does an image show a real person?

Emits ``real_person`` for the source or output image when a face is found,
with one piece of evidence per face (box in original pixels, score, size and
frame). R5 needs it ("the source showed a real person") and R3 can use it.
Drawn or painted faces can fire too; for the rules that is the safe side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.vision.face_finder import (
    FULL_RANGE_MIN_SCORE,
    FrameFaces,
    face_finder,
    face_models,
    face_models_missing,
)
from consentgate.detectors.vision.geometry import to_box
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target

IMAGE_TARGETS = (Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE)


class FaceDetector(Detector):
    name: ClassVar[str] = "faces"
    version: ClassVar[str] = "1.0"
    targets: ClassVar[frozenset[Target]] = frozenset(IMAGE_TARGETS)
    provides: ClassVar[frozenset[str]] = frozenset({Label.REAL_PERSON})
    description: ClassVar[str] = "Real person shown: BlazeFace full- and short-range (LiteRT)"

    threshold: float = FULL_RANGE_MIN_SCORE

    @property
    def model(self) -> ModelRef:
        return face_models()

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return face_models_missing()

    def warm_up(self) -> None:
        face_finder()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        signals: list[Signal] = []
        for target in IMAGE_TARGETS:
            image = inp.image(target)
            if image is None:
                continue
            found = face_finder().faces(image)
            evidence = _evidence(image, found)
            if evidence:
                best = max(face.score for frame in found for face in frame.faces)
                signals.append(
                    self.signal(Label.REAL_PERSON, target, best, self.threshold, *evidence)
                )
        return signals


def _evidence(image: DecodedImage, found: tuple[FrameFaces, ...]) -> list[Evidence]:
    count = sum(len(frame.faces) for frame in found)
    evidence: list[Evidence] = []
    for frame in found:
        for face in frame.faces:
            box = to_box(image, face.box)
            evidence.append(
                Evidence(
                    box=box,
                    frame=image.frame_index(frame.position) if image.frame_count > 1 else None,
                    note=(
                        f"face {box.width}×{box.height} px, score {face.score:.2f}, "
                        f"{count} face(s) in the image"
                    ),
                )
            )
    return evidence
