"""Open an image for decoding only after its bytes and header pass the limits.

Why one opener for every decoder: the screen's working copy and the hashes
(``POST /v1/hash``, bank entries, notices, ``consentgate hash`` and ``match``)
need different pixels, but the same file must be refused the same way, and
before any decompression, wherever it comes in. Pillow's own bomb limit
(``Image.MAX_IMAGE_PIXELS``, about 178 megapixels and process-wide) is only a
backstop: a 12,000 × 12,000 PNG of a few hundred kilobytes passes it and takes
gigabytes to decode. Here the configured limits are checked from the header:
byte size, then the format from the first bytes, then the declared dimensions
and frame count.

Whatever goes wrong inside the ``with`` block (truncation, a malformed chunk,
a decoder's memory error) becomes a typed, one-line error; no exception from
an image library reaches the caller.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, UnidentifiedImageError

from consentgate.errors import BadInput, TooLarge, UnsupportedMedia
from consentgate.images.limits import ImageLimits
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


def check_bytes(data: bytes, limits: ImageLimits) -> str:
    """The accepted format of ``data`` if its size allows; else a BadInput subclass."""
    if not data:
        raise BadInput("the image is empty")
    if len(data) > limits.max_bytes:
        raise TooLarge(f"the image is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
    fmt = sniff(data)
    if fmt is None:
        raise UnsupportedMedia(
            f"unsupported image type ({describe(data)}); accepted: {', '.join(ACCEPTED)}"
        )
    return fmt


@contextmanager
def open_image(data: bytes, limits: ImageLimits) -> Iterator[tuple[Image.Image, str]]:
    """The image, opened (not decoded), with its format; refused first if over a limit."""
    fmt = check_bytes(data, limits)
    try:
        with warnings.catch_warnings():
            # Our own pixel limit (checked from the header) is the authority, so Pillow's
            # bomb warning only duplicates it (its hard error stays as a backstop); its
            # other warnings (malformed TIFF tags, ...) would only clutter stderr.
            warnings.simplefilter("ignore")
            try:
                img = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[fmt])
            except UnidentifiedImageError as exc:
                raise UnsupportedMedia(
                    f"the file starts like a {fmt} image but is not one"
                ) from exc
            with img:
                check_header(img, fmt, limits)
                yield img, fmt
    except BadInput:
        raise
    except Image.DecompressionBombError as exc:
        raise TooLarge("the image declares too many pixels to decode safely") from exc
    except MemoryError as exc:
        raise TooLarge("the image needs more memory to decode than is available") from exc
    except _DECODE_ERRORS as exc:
        raise BadInput(f"the {fmt} image is truncated or corrupt") from exc


def check_header(img: Image.Image, fmt: str, limits: ImageLimits) -> None:
    """Refuse from the declared size and frame count, before any pixel is decoded."""
    width, height = img.size
    if width < 1 or height < 1:
        raise BadInput(f"the {fmt} image has no pixels ({width}×{height})")
    if width * height > limits.max_pixels:
        raise TooLarge(
            f"the image is {width:,}×{height:,} pixels; the limit is {limits.max_pixels:,} pixels"
        )
    frame_count = int(getattr(img, "n_frames", 1))
    if frame_count > limits.max_frames:
        raise TooLarge(f"the image has {frame_count:,} frames; the limit is {limits.max_frames:,}")
    if width * height * frame_count > limits.max_total_pixels:
        raise TooLarge(
            f"the animation decodes to {width * height * frame_count:,} pixels; the "
            f"limit is {limits.max_total_pixels:,}"
        )
