"""The benign edit the image benchmarks screen: scikit-image's astronaut and a sunnier copy.

``unseen`` gives the same JPEG bytes with a new comment segment: same pixels,
a digest never seen, so no finding is remembered from an earlier screen.
"""

from __future__ import annotations

import io
import itertools
import struct

from PIL import Image, ImageEnhance
from skimage import data

_serial = itertools.count()


def jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def edit_pair(size: int) -> tuple[bytes, bytes]:
    base = Image.fromarray(data.astronaut()).resize((size, size), Image.Resampling.BICUBIC)
    sunnier = ImageEnhance.Brightness(ImageEnhance.Color(base).enhance(1.3)).enhance(1.15)
    return jpeg(base), jpeg(sunnier)


def unseen(image: bytes) -> bytes:
    """The same JPEG with a new comment segment: same pixels, bytes never seen before."""
    payload = f"bench {next(_serial)}".encode()
    return image[:2] + b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload + image[2:]
