"""NudeNet's 320n body-part detector, run with our own pre- and post-processing.

Why not ``nudenet.NudeDetector``: it imports OpenCV, re-reads the image and
loops over 2,100 candidate rows in Python. We read only its ``320n.onnx``
from the installed package (the optional ``agpl`` extra: the wheel carries
the GNU AGPL-3.0 text, see docs/images.md), feed it the shared working copy,
and decode its YOLO output with numpy. Same preprocessing as NudeNet: pad
right and bottom to a square, resize to 320, RGB in 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.detectors.vision.boxes import suppress
from consentgate.detectors.vision.loader import shared
from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.onnx import single_thread_session
from consentgate.images.decoded import DecodedImage

NUDENET = ModelFile(
    model_id="nudenet/320n (nudenet 3.4.2)",
    distribution="nudenet",
    path="nudenet/320n.onnx",
    sha256="c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f",
)
INPUT = 320
MIN_SCORE = 0.2  # NudeNet's own candidate floor; labels apply their own thresholds
CLASSES = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)


@dataclass(frozen=True, slots=True)
class Part:
    """One body-part detection in working-copy pixels ``[x0, y0, x1, y1]``."""

    name: str
    score: float
    box: tuple[float, float, float, float]
    position: int = 0  # index into DecodedImage.frames


class NudeNetModel:
    def __init__(self, model: bytes) -> None:
        self._session = single_thread_session(model)
        self._input = self._session.get_inputs()[0].name

    def parts(self, frame: npt.NDArray[np.uint8], position: int = 0) -> list[Part]:
        height, width = frame.shape[:2]
        side = max(height, width)
        # One row per box field and class (4 + 18), one column per candidate (2,100).
        rows = self._session.run(None, {self._input: self.tensor(frame)})[0][0]
        scores = rows[4:]
        best = scores.argmax(axis=0)
        best_score = scores.max(axis=0)
        keep = np.flatnonzero(best_score >= MIN_SCORE)
        if keep.size == 0:
            return []
        factor = side / INPUT
        cx, cy, w, h = (rows[i, keep] * factor for i in range(4))
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        boxes = np.clip(boxes, 0, [width, height, width, height]).astype(np.float32)
        kept = suppress(boxes, best_score[keep].astype(np.float32), 0.45)
        return [
            Part(
                CLASSES[int(best[keep[i]])],
                float(best_score[keep[i]]),
                (float(boxes[i, 0]), float(boxes[i, 1]), float(boxes[i, 2]), float(boxes[i, 3])),
                position,
            )
            for i in kept
        ]

    @staticmethod
    def tensor(frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """The model's input: the frame scaled into the top-left of a black square.

        The scaled pixels are written straight into the planar float tensor
        (one pass), instead of building an interleaved float canvas and
        transposing it (three passes over 1.2 MB).
        """
        height, width = frame.shape[:2]
        side = max(height, width)
        small_w, small_h = max(1, round(width * INPUT / side)), max(1, round(height * INPUT / side))
        small = Image.fromarray(frame).resize((small_w, small_h), Image.Resampling.BILINEAR)
        tensor = np.zeros((1, 3, INPUT, INPUT), dtype=np.float32)
        planar = np.asarray(small, dtype=np.uint8).transpose(2, 0, 1)
        np.divide(planar, np.float32(255.0), out=tensor[0, :, :small_h, :small_w])
        return tensor


def shared_nudenet() -> NudeNetModel:
    """NudeNet, loaded once per process: the nudity and faces detectors share it."""
    return shared("nudenet", lambda: NudeNetModel(NUDENET.read()))


def memoised_parts(image: DecodedImage, model: NudeNetModel) -> tuple[Part, ...]:
    """Every frame's parts, memoised on the image under one key, so a screen runs
    NudeNet once whichever detector asks first (and a later screen of the same bytes
    reuses them)."""
    return image.memo.get(
        "nudenet",
        lambda: tuple(p for i, frame in enumerate(image.frames) for p in model.parts(frame, i)),
    )
