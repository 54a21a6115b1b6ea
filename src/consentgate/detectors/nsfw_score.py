"""Whole-image NSFW score (open_nsfw, Apache-2.0): nudity without the AGPL extra.

One score per image (the highest over its frames): ``nudity`` from
``NUDITY_THRESHOLD``, ``body_revealing`` between ``REVEALING_THRESHOLD`` and
that. It cannot say where, so its evidence has no box.

Where the ``nudity`` detector runs this is a second opinion on the image that
will be published: the output when there is one, else the source (an upload).
Where it does not (NudeNet not installed, or the detector turned off) this is the
only nudity signal and scores every image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from consentgate.detectors.base import Detector, DetectorContext, ScreenInput
from consentgate.detectors.faces import IMAGE_TARGETS
from consentgate.detectors.vision.loader import shared
from consentgate.detectors.vision.nudenet import NUDENET
from consentgate.detectors.vision.opennsfw import OPEN_NSFW, OpenNsfwModel
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target

NUDITY_THRESHOLD = 0.8
REVEALING_THRESHOLD = 0.5


def open_nsfw_model() -> OpenNsfwModel:
    return shared("open_nsfw", lambda: OpenNsfwModel(OPEN_NSFW.read()))


def frame_scores(image: DecodedImage) -> list[float]:
    """P(nsfw) of every frame, memoised on the image."""
    return image.memo.get("open_nsfw", lambda: open_nsfw_model().score(image.frames))


class NsfwScoreDetector(Detector):
    name: ClassVar[str] = "nsfw_score"
    version: ClassVar[str] = "1.0"
    targets: ClassVar[frozenset[Target]] = frozenset(IMAGE_TARGETS)
    provides: ClassVar[frozenset[str]] = frozenset({Label.NUDITY, Label.BODY_REVEALING})
    description: ClassVar[str] = "Whole-image NSFW probability: open_nsfw (Apache-2.0)"

    @property
    def model(self) -> ModelRef:
        return OPEN_NSFW.ref

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return OPEN_NSFW.missing_reason()

    def warm_up(self) -> None:
        open_nsfw_model()

    def __init__(self, *, every_image: bool | None = None) -> None:
        self.every_image = NUDENET.locate() is None if every_image is None else every_image

    @classmethod
    def from_context(cls, context: DetectorContext) -> Self:
        """Every image when the ``nudity`` detector will not run beside this one."""
        settings = context.settings
        nudity_off = "nudity" in settings.disabled_detectors or (
            bool(settings.detectors) and "nudity" not in settings.detectors
        )
        return cls(every_image=True if nudity_off else None)

    def reads(self, inp: ScreenInput) -> frozenset[Target]:
        return frozenset(self.targets_for(inp))

    def targets_for(self, inp: ScreenInput) -> tuple[Target, ...]:
        present = tuple(t for t in IMAGE_TARGETS if inp.has(t))
        return present if self.every_image else present[-1:]

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        signals: list[Signal] = []
        for target in self.targets_for(inp):
            image = inp.image(target)
            assert image is not None
            scores = frame_scores(image)
            position = max(range(len(scores)), key=scores.__getitem__)
            score = scores[position]
            frame = image.frame_index(position) if image.frame_count > 1 else None
            note = f"open_nsfw P(nsfw) = {score:.3f} for the whole image"
            evidence = Evidence(frame=frame, note=note)
            if score >= NUDITY_THRESHOLD:
                signals.append(self.signal(Label.NUDITY, target, score, NUDITY_THRESHOLD, evidence))
            elif score >= REVEALING_THRESHOLD:
                signals.append(
                    self.signal(Label.BODY_REVEALING, target, score, REVEALING_THRESHOLD, evidence)
                )
        return signals
