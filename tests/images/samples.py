"""Image files made in the test, small on disk: every format, mode and hostile shape.

Everything is benign: scikit-image's sample photos, flat colours and noise.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

import numpy as np
from PIL import Image
from skimage import data


@cache
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def photo(fmt: str, size: int = 96) -> bytes:
    return encode(astronaut().resize((size, size)), fmt)


def animated(fmt: str, frames: int, size: int = 8, distinct: bool = True) -> bytes:
    """Flat-colour frames: every one new (``distinct``) or two colours taking turns."""
    images = [
        Image.new(
            "RGB", (size, size), ((i * 37) % 256, i % 7, 200) if distinct else (9, 9, 9 * (i % 2))
        )
        for i in range(frames)
    ]
    buf = io.BytesIO()
    extra = {"lossless": True} if fmt == "WEBP" else {}
    images[0].save(buf, fmt, save_all=True, append_images=images[1:], duration=40, loop=0, **extra)
    return buf.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A real decompression bomb: 100 megapixels of zeros in about 100 KB."""
    raw = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one greyscale byte per pixel
    body = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header that claims a huge size and carries almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")


def with_orientation(img: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(img, "JPEG", exif=exif.tobytes())


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def sixteen_bit_png() -> bytes:
    ramp = (np.arange(64 * 64, dtype=np.uint32).reshape(64, 64) * 16).astype(np.uint16)
    return encode(Image.fromarray(ramp), "PNG")
