"""Safe image intake: every image that enters the system is decoded here, once.

The order of checks is the point: byte size, then the format from the first
bytes, then the declared dimensions and frame count from the header, and only
then any decompression. Whatever goes wrong in a decoder (truncation, a
malformed chunk, an absurd header) becomes a typed, one-line error; no
exception from an image library reaches the caller.

Each frame is reduced to the shared working size while it is decoded (JPEG
draft mode decodes at 1/2, 1/4 or 1/8 scale directly), so a 40-megapixel
photo never exists at full size as RGB in memory for longer than one frame.

The image's memo comes from ``RECENT``, keyed by the SHA-256 of the bytes and
the working size: the same bytes screened again (an edit's source, screened
before and after generation) find the models' findings already there.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from consentgate.errors import BadInput, TooLarge, UnsupportedMedia
from consentgate.images.decoded import DecodedImage
from consentgate.images.limits import DEFAULT_LIMITS, ImageLimits
from consentgate.images.memo import RECENT, RecentMemos
from consentgate.images.orientation import orient, orientation_of, oriented_size
from consentgate.images.pixels import to_rgb
from consentgate.images.sniff import ACCEPTED, PILLOW_FORMATS, describe, sniff

# Errors Pillow's decoders are known to raise on hostile input.
_DECODE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    OverflowError,
    RuntimeError,
    AssertionError,
)


def decode_image(
    data: bytes, limits: ImageLimits = DEFAULT_LIMITS, recent: RecentMemos = RECENT
) -> DecodedImage:
    """Decode ``data`` into the shared working copy, or raise a BadInput subclass."""
    if not data:
        raise BadInput("the image is empty")
    if len(data) > limits.max_bytes:
        raise TooLarge(f"the image is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
    fmt = sniff(data)
    if fmt is None:
        raise UnsupportedMedia(
            f"unsupported image type ({describe(data)}); accepted: {', '.join(ACCEPTED)}"
        )
    try:
        with warnings.catch_warnings():
            # Our own pixel limit (checked from the header) is the authority, so Pillow's
            # bomb warning only duplicates it (its hard error stays as a backstop); its
            # other warnings (malformed TIFF tags, ...) would only clutter stderr.
            warnings.simplefilter("ignore")
            return _decode(data, fmt, limits, recent)
    except BadInput:
        raise
    except Image.DecompressionBombError as exc:
        raise TooLarge("the image declares too many pixels to decode safely") from exc
    except MemoryError as exc:
        raise TooLarge("the image needs more memory to decode than is available") from exc
    except _DECODE_ERRORS as exc:
        raise BadInput(f"the {fmt} image is truncated or corrupt") from exc


def _decode(data: bytes, fmt: str, limits: ImageLimits, recent: RecentMemos) -> DecodedImage:
    try:
        img = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[fmt])
    except UnidentifiedImageError as exc:
        raise UnsupportedMedia(f"the file starts like a {fmt} image but is not one") from exc
    with img:
        width, height = img.size
        if width < 1 or height < 1:
            raise BadInput(f"the {fmt} image has no pixels ({width}×{height})")
        if width * height > limits.max_pixels:
            raise TooLarge(
                f"the image is {width:,}×{height:,} pixels; the limit is "
                f"{limits.max_pixels:,} pixels"
            )
        frame_count = int(getattr(img, "n_frames", 1))
        if frame_count > limits.max_frames:
            raise TooLarge(
                f"the image has {frame_count:,} frames; the limit is {limits.max_frames:,}"
            )
        if width * height * frame_count > limits.max_total_pixels:
            raise TooLarge(
                f"the animation decodes to {width * height * frame_count:,} pixels; the "
                f"limit is {limits.max_total_pixels:,}"
            )
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
