from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from consentgate.errors import UnsupportedMedia
from consentgate.hashing.image import hash_file, hash_image_bytes, hashes_of_decoded
from consentgate.images.intake import decode_image
from tests.hashing.samples import distance, jpeg, rgb


def test_when_bytes_are_hashed_then_md5_and_sha256_are_of_the_bytes() -> None:
    data = jpeg(rgb("coffee"))
    hashes = hash_image_bytes(data)
    assert hashes.md5 == hashlib.md5(data).hexdigest()
    assert hashes.sha256 == hashlib.sha256(data).hexdigest()
    assert len(hashes.pdq) == 64
    assert hashes.quality == 100


def test_when_bytes_are_not_an_image_then_unsupported_media() -> None:
    with pytest.raises(UnsupportedMedia):
        hash_image_bytes(b"not an image at all")


def test_when_exif_rotates_the_image_then_the_hash_is_of_the_upright_image() -> None:
    image = Image.fromarray(rgb("rocket"))
    upright = io.BytesIO()
    image.save(upright, "JPEG", quality=95)
    rotated = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated; viewers turn it 90° clockwise
    image.transpose(Image.Transpose.ROTATE_90).save(rotated, "JPEG", quality=95, exif=exif)
    a = hash_image_bytes(upright.getvalue()).pdq
    b = hash_image_bytes(rotated.getvalue()).pdq
    assert distance(a, b) <= 8


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "I;16"])
def test_when_image_mode_is_unusual_then_it_still_hashes(mode: str, tmp_path: Path) -> None:
    image = Image.fromarray(rgb("astronaut")).convert("L" if mode == "I;16" else mode)
    if mode == "I;16":
        image = Image.fromarray(np.asarray(image).astype(np.uint16) * 256)
    path = tmp_path / "x.png"
    image.save(path)
    assert hash_file(path).quality > 50


def test_when_decoded_image_is_hashed_then_it_agrees_with_the_file_hash() -> None:
    data = jpeg(rgb("chelsea"))
    decoded = decode_image(data)
    assert distance(hashes_of_decoded(decoded).pdq, hash_image_bytes(data).pdq) <= 4
    assert hashes_of_decoded(decoded).md5 == hashlib.md5(data).hexdigest()
