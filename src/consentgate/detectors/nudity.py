"""Nudity detector: exposed and revealing body parts, located (NudeNet 320n).

Emits ``nudity`` (exposed breasts, genitalia, buttocks, anus) and
``body_revealing`` (a covered intimate part with exposed midriff of the same
person: swimwear and underwear, see ``exposure``) per image, one piece of
evidence per part with its box in original pixels and ``person``: the face
(index in the face finder's order for the frame) whose body the part belongs
to (``vision.persons``), or None for a part of no visible face, and always
None when the face models are not installed. For an edit, the output is
compared with the source (see ``exposure``).

NudeNet is the optional ``agpl`` extra. Without it this detector reports
itself unavailable and ``nsfw_score`` (Apache-2.0) still gives a nudity
signal, without locations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.exposure import Finding, could_fire, findings
from consentgate.detectors.faces import IMAGE_TARGETS
from consentgate.detectors.vision.face_finder import face_finder, face_models_missing
from consentgate.detectors.vision.geometry import to_box
from consentgate.detectors.vision.nudenet import (
    NUDENET,
    NudeNetModel,
    Part,
    memoised_parts,
    shared_nudenet,
)
from consentgate.detectors.vision.persons import owner
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target


def nudenet_model() -> NudeNetModel:
    return shared_nudenet()


def image_parts(image: DecodedImage) -> tuple[Part, ...]:
    """Every frame's parts, memoised on the image (a later screen of the same bytes reuses them)."""
    return memoised_parts(image, nudenet_model())


def part_persons(image: DecodedImage, parts: Sequence[Part]) -> tuple[int | None, ...]:
    """The face each part belongs to, from the shared (memoised) face finder result.

    Without the face models every part belongs to nobody (``None``); so does every
    part of an image where no part could be a finding (``exposure.could_fire``):
    whose they are changes nothing there, and the face finder is not run for it."""
    if not parts or not could_fire(parts) or face_models_missing() is not None:
        return (None,) * len(parts)
    frames = {frame.position: frame.faces for frame in face_finder().faces(image)}
    return tuple(
        owner(part.box, [face.box for face in frames.get(part.position, ())]) for part in parts
    )


class NudityDetector(Detector):
    name: ClassVar[str] = "nudity"
    version: ClassVar[str] = "2.0"
    targets: ClassVar[frozenset[Target]] = frozenset(IMAGE_TARGETS)
    provides: ClassVar[frozenset[str]] = frozenset({Label.NUDITY, Label.BODY_REVEALING})
    description: ClassVar[str] = "Exposed and revealing body parts: NudeNet 320n (agpl extra)"

    @property
    def model(self) -> ModelRef:
        return NUDENET.ref

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if NUDENET.locate() is None:
            return "NudeNet is not installed (pip install 'consentgate[agpl]'; AGPL-3.0)"
        return None

    def warm_up(self) -> None:
        nudenet_model()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        signals: list[Signal] = []
        source_parts = image_parts(inp.source) if inp.source is not None else None
        for target in IMAGE_TARGETS:
            image = inp.image(target)
            if image is None:
                continue
            compare_with = source_parts if target is Target.OUTPUT_IMAGE else None
            parts = image_parts(image)
            found = findings(parts, compare_with, part_persons(image, parts))
            for label in (Label.NUDITY, Label.BODY_REVEALING):
                signal = self._signal(image, target, label, [f for f in found if f.label == label])
                if signal is not None:
                    signals.append(signal)
        return signals

    def _signal(
        self, image: DecodedImage, target: Target, label: Label, found: list[Finding]
    ) -> Signal | None:
        if not found:
            return None
        top = max(found, key=lambda f: f.score - f.threshold)
        evidence = [
            Evidence(
                box=to_box(image, f.part.box),
                term=f.part.name,
                frame=image.frame_index(f.part.position) if image.frame_count > 1 else None,
                person=f.person,
                note=f.note if f.person is None else f"{f.note}; person {f.person}",
            )
            for f in sorted(found, key=lambda f: -f.score)
        ]
        return self.signal(label, target, top.score, top.threshold, *evidence)
