"""Safe image intake: every image that enters the system is decoded here, once.

The order of checks is the point: byte size, then the format from the first
bytes, then the declared dimensions and frame count from the header, and only
then any decompression (``consentgate.images.opening``, which the hashes use
too). Whatever goes wrong in a decoder (truncation, a malformed chunk, an
absurd header) becomes a typed, one-line error; no exception from an image
library reaches the caller.

Each frame is reduced to the shared working size while it is decoded (JPEG
draft mode decodes at 1/2, 1/4 or 1/8 scale directly), so a 40-megapixel
photo never exists at full size as RGB in memory for longer than one frame.

The image's memo comes from ``RECENT``, keyed by the SHA-256 of the bytes and
the working size: the same bytes screened again (an edit's source, screened
before and after generation) find the models' findings already there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.errors import TooLarge
from consentgate.images.decoded import DecodedImage
from consentgate.images.limits import DEFAULT_LIMITS, ImageLimits
from consentgate.images.memo import RECENT, RecentMemos
from consentgate.images.opening import open_image
from consentgate.images.orientation import orient, orientation_of, oriented_size
from consentgate.images.pixels import to_rgb


def decode_image(
    data: bytes, limits: ImageLimits = DEFAULT_LIMITS, recent: RecentMemos = RECENT
) -> DecodedImage:
    """Decode ``data`` into the shared working copy, or raise a BadInput subclass."""
    with open_image(data, limits) as (img, fmt):
        width, height = img.size
        frame_count = int(getattr(img, "n_frames", 1))
        orientation = orientation_of(img)
        mode = img.mode
        frames, indices, scale = _working_frames(img, frame_count, orientation, limits)
    shown_w, shown_h = oriented_size(width, height, orientation)
    sha256 = hashlib.sha256(data).hexdigest()
    return DecodedImage(
        format=fmt,
        width=shown_w,
        height=shown_h,
        frames=tuple(frames),
        scale=scale,
        md5=hashlib.md5(data).hexdigest(),
        sha256=sha256,
        frame_count=frame_count,
        frame_indices=tuple(indices),
        mode=mode,
        memo=recent.memo(f"{sha256}/{limits.working_size}"),
    )


def _working_frames(
    img: Image.Image, frame_count: int, orientation: int, limits: ImageLimits
) -> tuple[list[npt.NDArray[np.uint8]], list[int], float]:
    """Each distinct frame, decoded, made RGB, downscaled and oriented."""
    width, height = img.size
    scale = min(1.0, limits.working_size / max(width, height))
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    frames: list[npt.NDArray[np.uint8]] = []
    indices: list[int] = []
    seen: set[bytes] = set()
    for index, frame in _frames(img, frame_count, target, limits.max_pixels):
        rgb = to_rgb(frame)
        if rgb.size != target:
            rgb = rgb.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
        array = np.ascontiguousarray(np.asarray(orient(rgb, orientation), dtype=np.uint8))
        if frame_count > 1:  # animations often repeat frames: screen each once
            digest = hashlib.blake2b(array.data, digest_size=16).digest()
            if digest in seen:
                continue
            seen.add(digest)
        frames.append(array)
        indices.append(index)
    return frames, indices, scale


def _frames(
    img: Image.Image, frame_count: int, target: tuple[int, int], max_pixels: int
) -> Iterator[tuple[int, Image.Image]]:
    if frame_count == 1 and img.format in ("JPEG", "MPO"):
        img.draft(img.mode, target)  # decode at the smallest scale still >= target
    for index in range(frame_count):
        if index:
            img.seek(index)
            width, height = img.size  # a later TIFF page may declare its own size
            if width * height > max_pixels:
                raise TooLarge(f"frame {index} is {width:,}×{height:,} pixels; too large")
        img.load()
        yield index, img
