"""A decoded image, shared by every image detector of one screen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """An image decoded once, safely, with EXIF orientation applied.

    ``frames`` are RGB uint8 working copies, downscaled so the long side is at
    most the working size; detectors scale boxes back by ``1 / scale``.
    Digests are of the bytes as received.
    """

    format: str
    width: int
    height: int
    frames: tuple[npt.NDArray[np.uint8], ...]
    scale: float
    md5: str
    sha256: str
    frame_count: int = 1
