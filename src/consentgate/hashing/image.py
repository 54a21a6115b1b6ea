"""Hash an image file: PDQ (with optional dihedral hashes), MD5 and SHA-256.

Decoding is the other half of the cost, so JPEGs are decoded at reduced size
(libjpeg's DCT scaling via PIL ``draft``) when the image is at least twice the
size PDQ needs; the PDQ filter weights are then those of the full-size image
(see ``jarosz``), which keeps the hash within a few bits of the reference.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.hashing.jarosz import window_size
from consentgate.hashing.pdq import LUMA, PdqHash, pdq_from_luma, pdq_from_rgb
from consentgate.images.decoded import DecodedImage
from consentgate.images.files import read_image_file
from consentgate.images.limits import DEFAULT_LIMITS, ImageLimits
from consentgate.images.opening import open_image
from consentgate.images.orientation import orient, orientation_of
from consentgate.records import Record

DRAFT_WINDOW_RATIO = 4
"""A draft decode may shrink by s only while PDQ's filter window spans at least 4·s pixels.

Each draft pixel stands for an s×s block; the hash stays within a few bits of the
full decode while the filter window is several blocks wide (measured on the
sample images: distance <= 2 at s = 2 for 1024 px, up to 6 with s = 4).
"""

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


def draft_scale(width: int, height: int) -> int:
    """The largest JPEG draft reduction (1, 2, 4 or 8) that keeps the hash faithful."""
    window = window_size(max(width, height))
    scale = 1
    while scale < 8 and 2 * scale * DRAFT_WINDOW_RATIO <= window:
        scale *= 2
    return scale


def hash_image_bytes(
    data: bytes,
    *,
    limits: ImageLimits = DEFAULT_LIMITS,
    dihedral: bool = False,
    draft: bool = True,
) -> ImageHashes:
    """Hash encoded image bytes; a BadInput subclass if they are not an image within ``limits``.

    The image passes the same intake as a screened one (``open_image``): its size,
    format, declared pixels and frames are checked before anything is decoded.
    """
    with open_image(data, limits) as (img, fmt):
        full_w, full_h = img.size
        orientation = orientation_of(img)
        scale = draft_scale(full_w, full_h) if draft and fmt == "JPEG" else 1
        if scale > 1:
            img.draft("RGB", (full_w // scale, full_h // scale))
        img.load()
        luma = _luma(orient(img, orientation))
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


def hash_file(
    path: Path, *, limits: ImageLimits = DEFAULT_LIMITS, dihedral: bool = False, draft: bool = True
) -> ImageHashes:
    """Hash the image at ``path``, reading no more than ``limits.max_bytes`` of it."""
    data = read_image_file(path, limits)
    return hash_image_bytes(data, limits=limits, dihedral=dihedral, draft=draft)


def frame_pdq(image: DecodedImage, frame: int = 0, *, dihedral: bool = False) -> PdqHash:
    """PDQ of one frame of a decoded image, computed once per image and shared
    (the hash-match detector and the decision recorder both need it)."""
    return image.memo.get(
        f"pdq/{frame}/{int(dihedral)}",
        lambda: pdq_from_rgb(image.frames[frame], dihedral=dihedral),
    )


def hashes_of_decoded(image: DecodedImage, *, dihedral: bool = False) -> ImageHashes:
    """Hashes of an image the engine already decoded (PDQ of its working copy)."""
    pdq = frame_pdq(image, 0, dihedral=dihedral)
    return ImageHashes(
        pdq=pdq.hex,
        quality=pdq.quality,
        md5=image.md5,
        sha256=image.sha256,
        dihedral=pdq.dihedral,
    )
