"""Nudity detector: exposed and revealing body parts, located (NudeNet 320n).

Emits ``nudity`` (exposed breasts, genitalia, buttocks, anus) and
``body_revealing`` (their covered forms: swimwear and underwear) per image,
one piece of evidence per part with its box in original pixels. For an edit,
the output is compared with the source (see ``exposure``).

NudeNet is the optional ``agpl`` extra. Without it this detector reports
itself unavailable and ``nsfw_score`` (Apache-2.0) still gives a nudity
signal, without locations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.exposure import Finding, findings
from consentgate.detectors.faces import IMAGE_TARGETS
from consentgate.detectors.vision.geometry import to_box
from consentgate.detectors.vision.loader import shared
from consentgate.detectors.vision.nudenet import NUDENET, NudeNetModel, Part
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target


def nudenet_model() -> NudeNetModel:
    return shared("nudenet", lambda: NudeNetModel(NUDENET.read()))


def image_parts(image: DecodedImage) -> tuple[Part, ...]:
    """Every frame's parts, memoised on the image (a later screen of the same bytes reuses them)."""
    model = nudenet_model()
    return image.memo.get(
        "nudenet",
        lambda: tuple(p for i, frame in enumerate(image.frames) for p in model.parts(frame, i)),
    )


class NudityDetector(Detector):
    name: ClassVar[str] = "nudity"
    version: ClassVar[str] = "1.0"
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
            found = findings(image_parts(image), compare_with)
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
        top = max(found, key=lambda f: f.part.score - f.threshold)
        evidence = [
            Evidence(
                box=to_box(image, f.part.box),
                term=f.part.name,
                frame=image.frame_index(f.part.position) if image.frame_count > 1 else None,
                note=f.note,
            )
            for f in sorted(found, key=lambda f: -f.part.score)
        ]
        return self.signal(label, target, top.part.score, top.threshold, *evidence)
