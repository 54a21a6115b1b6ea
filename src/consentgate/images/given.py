"""Turn an image as a Python caller holds it (a path, bytes or a PIL image) into bytes.

Why bytes and not the PIL image itself: every image must pass the one safe intake
(``images.opening``) with the configured limits, wherever it comes from. A path is
read no further than the byte limit (``images.files``); a PIL image is refused from
its size before it is encoded, then encoded to PNG (lossless, so the pixels screened
are the caller's) and decoded again by the same intake as any upload. The cost of
one PNG round trip buys one code path for every hostile image.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TypeAlias

from PIL import Image

from consentgate.errors import BadInput, TooLarge
from consentgate.images.files import read_image_file
from consentgate.images.limits import ImageLimits

ImageLike: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | memoryview | Image.Image"
"""What ``Gate`` accepts wherever it takes an image."""


def image_bytes(value: ImageLike, limits: ImageLimits) -> bytes:
    """The encoded bytes of ``value``; BadInput (or TooLarge) when it cannot be one.

    Empty bytes are refused here: the engine skips an absent image, and an empty
    one must not pass as "no image" unnoticed.
    """
    data = _bytes_of(value, limits)
    if not data:
        raise BadInput("the image is empty")
    return data


def _bytes_of(value: ImageLike, limits: ImageLimits) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, Image.Image):
        return _encoded(value, limits)
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        if not path.is_file():
            raise BadInput(f"no image file at {path}")
        return read_image_file(path, limits)
    raise BadInput(f"an image must be a path, bytes or a PIL image, not {type(value).__name__}")


def _encoded(img: Image.Image, limits: ImageLimits) -> bytes:
    width, height = img.size
    if width * height > limits.max_pixels:
        raise TooLarge(
            f"the image is {width:,}×{height:,} pixels; the limit is {limits.max_pixels:,} pixels"
        )
    if img.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}:
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    out = io.BytesIO()
    try:
        img.save(out, format="PNG")
    except (OSError, ValueError) as exc:
        raise BadInput(f"the PIL image cannot be encoded ({type(exc).__name__})") from None
    return out.getvalue()
