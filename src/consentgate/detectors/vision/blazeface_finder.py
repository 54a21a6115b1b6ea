"""The previous face finder: BlazeFace full- and short-range, merged.

Kept so that benchmarks can run it beside today's finder in the same run
(``bench/image_people.py``, ``bench/image_speed.py``): it finds few faces
under about 20 px (crowds) but costs a quarter of YuNet's time. Its results
are memoised under their own key, so both finders can look at one image.
"""

from __future__ import annotations

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
from consentgate.detectors.vision.face_finder import FrameFaces
from consentgate.detectors.vision.loader import shared
from consentgate.images.decoded import DecodedImage

FULL_RANGE_MIN_SCORE = 0.6  # MediaPipe's own setting for this model
SHORT_RANGE_MIN_SCORE = 0.6  # just above the 0.58-0.59 it gives scikit-image's cat


class BlazeFaceFinder:
    """The two BlazeFace models, loaded once per process."""

    def __init__(self, full: BlazeFaceModel, short: BlazeFaceModel) -> None:
        self._full = full
        self._short = short

    @classmethod
    def load(cls) -> BlazeFaceFinder:
        return cls(
            load_full_range(FULL_RANGE.read(), FULL_RANGE_MIN_SCORE),
            load_short_range(SHORT_RANGE.read(), SHORT_RANGE_MIN_SCORE),
        )

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        """Faces of every frame, memoised on the image under their own key."""
        return image.memo.get(
            "faces/blazeface",
            lambda: tuple(
                FrameFaces(position, self.frame_faces(frame))
                for position, frame in enumerate(image.frames)
            ),
        )

    def frame_faces(self, frame: npt.NDArray[np.uint8]) -> tuple[RawFace, ...]:
        found = self._full.run(frame) + self._short.run(frame)
        if len(found) < 2:
            return tuple(found)
        boxes = np.array([f.box for f in found], dtype=np.float32)
        scores = np.array([f.score for f in found], dtype=np.float32)
        return tuple(found[i] for i in suppress(boxes, scores, 0.3))


def blazeface_finder() -> BlazeFaceFinder:
    return shared("blazeface", BlazeFaceFinder.load)
