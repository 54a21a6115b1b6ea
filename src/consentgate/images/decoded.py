"""A decoded image, shared by every image detector of one screen.

Why one shared object: decoding and downscaling are the most expensive steps
that every detector would otherwise repeat, and model results that two
detectors need (the face boxes used by both the face and the age detector) are
computed once per image through ``memo`` (see ``consentgate.images.memo``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from consentgate.images.memo import Memo

__all__ = ["DecodedImage", "Memo"]


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """An image decoded once, safely, with EXIF orientation applied.

    ``width`` and ``height`` are of the original image as displayed (after EXIF
    orientation). ``frames`` are RGB uint8 working copies, downscaled so the
    long side is at most the working size; detectors scale boxes back to
    original pixels with ``1 / scale``. For an animation, ``frames`` holds each
    distinct frame once and ``frame_indices`` the original index of each.
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
    frame_indices: tuple[int, ...] = (0,)
    mode: str = "RGB"
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def frame_index(self, position: int) -> int:
        """The original frame number of ``frames[position]``."""
        if position < len(self.frame_indices):
            return self.frame_indices[position]
        return position

    def to_original(self, value: float) -> int:
        """A working-copy coordinate or length in original-image pixels."""
        return round(value / self.scale)
