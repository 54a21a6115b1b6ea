"""Age detector: could a face be a child's? Conservative by design.

For every face the face finder reports, it estimates an age distribution and
emits ``possible_minor`` scored by the probability of being under 18. A face
too small to read is scored as uncertain (``UNCERTAIN_SCORE``, above the
threshold): the policy only ever uses this signal to block (R1 with a sexual
or body-revealing signal), never to allow, so an unreadable age counts as a
possible minor. The estimate is a screening signal, not a verdict; no benign
photos of children were available to measure the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.faces import IMAGE_TARGETS
from consentgate.detectors.vision.age_model import AGE_MODEL, AgeEstimate, AgeModel
from consentgate.detectors.vision.face_finder import face_finder, face_models_missing
from consentgate.detectors.vision.geometry import to_box
from consentgate.detectors.vision.loader import shared
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target

MIN_FACE_PX = 24  # working-copy pixels; smaller faces give the network nothing to read
UNCERTAIN_SCORE = 0.5


def age_model() -> AgeModel:
    return shared("age", lambda: AgeModel(AGE_MODEL.read()))


class AgeDetector(Detector):
    name: ClassVar[str] = "age"
    version: ClassVar[str] = "1.0"
    targets: ClassVar[frozenset[Target]] = frozenset(IMAGE_TARGETS)
    provides: ClassVar[frozenset[str]] = frozenset({Label.POSSIBLE_MINOR})
    description: ClassVar[str] = "Possible minor per face: dlib age network (ONNX), conservative"

    threshold: float = 0.3

    @property
    def model(self) -> ModelRef:
        return AGE_MODEL.ref

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return AGE_MODEL.missing_reason() or face_models_missing()

    def warm_up(self) -> None:
        face_finder()
        age_model()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        signals: list[Signal] = []
        for target in IMAGE_TARGETS:
            image = inp.image(target)
            if image is not None:
                evidence = self._faces(image)
                if evidence:
                    score = max(s for s, _ in evidence)
                    signal = self.signal(
                        Label.POSSIBLE_MINOR,
                        target,
                        score,
                        self.threshold,
                        *(e for _, e in evidence),
                    )
                    signals.append(signal)
        return signals

    def _faces(self, image: DecodedImage) -> list[tuple[float, Evidence]]:
        found: list[tuple[float, Evidence]] = []
        for frame, estimates in zip(face_finder().faces(image), frame_ages(image), strict=True):
            readable = [f for f in frame.faces if f.size >= MIN_FACE_PX]
            frame_no = image.frame_index(frame.position) if image.frame_count > 1 else None
            for face, est in zip(readable, estimates, strict=True):
                note = f"estimated age {est.years:.0f}; P(under 18) = {est.p_minor:.2f}"
                box = to_box(image, face.box)
                found.append((est.p_minor, Evidence(box=box, frame=frame_no, note=note)))
            for face in frame.faces:
                if face.size < MIN_FACE_PX:
                    note = "face too small to estimate an age; treated as a possible minor"
                    box = to_box(image, face.box)
                    found.append((UNCERTAIN_SCORE, Evidence(box=box, frame=frame_no, note=note)))
        return found


def frame_ages(image: DecodedImage) -> tuple[tuple[AgeEstimate, ...], ...]:
    """Age estimates of every readable face, per frame, memoised on the image."""

    def estimate() -> tuple[tuple[AgeEstimate, ...], ...]:
        model = age_model()
        return tuple(
            tuple(
                model.estimate(
                    image.frames[frame.position],
                    [f for f in frame.faces if f.size >= MIN_FACE_PX],
                )
            )
            for frame in face_finder().faces(image)
        )

    return image.memo.get("age", estimate)
