"""Safe image intake (minimal; hardened in the image-screening work)."""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from consentgate.errors import TooLarge, UnsupportedMedia
from consentgate.images.decoded import DecodedImage

WORKING_SIZE = 1024


def decode_image(data: bytes, *, max_bytes: int = 25_000_000) -> DecodedImage:
    if len(data) > max_bytes:
        raise TooLarge(f"image is {len(data)} bytes; the limit is {max_bytes}")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or "unknown"
            oriented = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise UnsupportedMedia("not a readable image") from exc
    w, h = oriented.size
    scale = min(1.0, WORKING_SIZE / max(w, h))
    if scale < 1.0:
        oriented = oriented.resize((max(1, round(w * scale)), max(1, round(h * scale))))
    return DecodedImage(
        format=fmt,
        width=w,
        height=h,
        frames=(np.asarray(oriented, dtype=np.uint8),),
        scale=scale,
        md5=hashlib.md5(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
    )
