"""Hash an image file: PDQ (with optional dihedral hashes), MD5 and SHA-256.

Decoding is the other half of the cost, so JPEGs are decoded at reduced size
(libjpeg's DCT scaling via PIL ``draft``) when the image is at least twice the
size PDQ needs; the PDQ filter weights are then those of the full-size image
(see ``jarosz``), which keeps the hash within a few bits of the reference.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from consentgate.errors import BadInput, UnsupportedMedia
from consentgate.hashing.pdq import LUMA, pdq_from_luma, pdq_from_rgb
from consentgate.images.decoded import DecodedImage
from consentgate.records import Record

DRAFT_MIN_SIDE = 512
"""A draft decode keeps at least this many pixels on the short side."""

_SWAPS_AXES = {5, 6, 7, 8}  # EXIF orientations that transpose the image


class ImageHashes(Record):
    """Every hash ConsentGate keeps of one image (never the image)."""

    pdq: str
    quality: int
    md5: str
    sha256: str
    dihedral: tuple[str, ...] = ()


def _luma(img: Image.Image) -> npt.NDArray[np.float32]:
    if img.mode in ("L", "I;16", "I", "F"):
        return np.asarray(img.convert("F"), dtype=np.float32)
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    luma: npt.NDArray[np.float32] = rgb @ LUMA
    return luma


def hash_image_bytes(data: bytes, *, dihedral: bool = False, draft: bool = True) -> ImageHashes:
    """Hash encoded image bytes; BadInput if they are not an image."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            full_w, full_h = img.size
            orientation = img.getexif().get(0x0112, 1)
            if draft and img.format == "JPEG" and min(full_w, full_h) >= 2 * DRAFT_MIN_SIDE:
                ratio = DRAFT_MIN_SIDE / min(full_w, full_h)
                img.draft("RGB", (max(1, int(full_w * ratio)), max(1, int(full_h * ratio))))
            img.load()
            oriented = ImageOps.exif_transpose(img)
            luma = _luma(oriented)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnsupportedMedia("not a readable image") from exc
    if orientation in _SWAPS_AXES:
        full_w, full_h = full_h, full_w
    pdq = pdq_from_luma(luma, original=(full_h, full_w), dihedral=dihedral)
    return ImageHashes(
        pdq=pdq.hex,
        quality=pdq.quality,
        md5=hashlib.md5(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        dihedral=pdq.dihedral,
    )


def hash_file(path: Path, *, dihedral: bool = False, draft: bool = True) -> ImageHashes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    return hash_image_bytes(data, dihedral=dihedral, draft=draft)


def hashes_of_decoded(image: DecodedImage, *, dihedral: bool = False) -> ImageHashes:
    """Hashes of an image the engine already decoded (PDQ of its working copy)."""
    pdq = pdq_from_rgb(image.frames[0], dihedral=dihedral)
    return ImageHashes(
        pdq=pdq.hex,
        quality=pdq.quality,
        md5=image.md5,
        sha256=image.sha256,
        dihedral=pdq.dihedral,
    )
