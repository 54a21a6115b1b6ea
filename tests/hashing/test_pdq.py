"""PDQ agrees with Meta's reference binding (pdqhash) on benign sample images."""

from __future__ import annotations

import io

import numpy as np
import pdqhash
import pytest
from PIL import Image

from consentgate.hashing.image import hash_image_bytes
from consentgate.hashing.pdq import pdq_from_rgb, quality_of
from tests.hashing.samples import NAMES, distance, jpeg, rgb


def reference(image: np.ndarray) -> tuple[str, int]:
    bits, quality = pdqhash.compute(image)
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def reference_dihedral(image: np.ndarray) -> list[str]:
    vectors, _ = pdqhash.compute_dihedral(image)
    return [np.packbits(v.astype(np.uint8)).tobytes().hex() for v in vectors]


@pytest.mark.parametrize("name", NAMES)
def test_when_array_is_hashed_then_it_equals_the_reference(name: str) -> None:
    image = rgb(name)
    ref_hex, ref_quality = reference(image)
    ours = pdq_from_rgb(image)
    assert distance(ours.hex, ref_hex) <= 2
    assert abs(ours.quality - ref_quality) <= 1


def test_when_1024px_jpegs_are_hashed_with_draft_decode_then_within_8_bits_median_2() -> None:
    distances = []
    for name in NAMES:
        data = jpeg(rgb(name), long_side=1024)
        decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        ref_hex, _ = reference(decoded)
        distances.append(distance(hash_image_bytes(data).pdq, ref_hex))
    assert max(distances) <= 8
    assert float(np.median(distances)) <= 2


@pytest.mark.parametrize("name", ["astronaut", "coffee", "rocket"])
def test_when_dihedral_hashes_are_asked_for_then_they_match_the_reference_set(name: str) -> None:
    image = rgb(name)
    ours = pdq_from_rgb(image, dihedral=True)
    ref = reference_dihedral(image)
    assert len(ours.dihedral) == 7
    for value in (ours.hex, *ours.dihedral):
        assert min(distance(value, r) for r in ref) <= 2


def test_when_image_is_flat_then_quality_is_zero() -> None:
    assert quality_of(np.full((64, 64), 128, dtype=np.float32)) == 0
    assert pdq_from_rgb(np.full((200, 300, 3), 77, dtype=np.uint8)).quality == 0


def test_when_image_is_mirrored_then_a_dihedral_hash_is_close() -> None:
    image = rgb("astronaut")
    mirrored = np.ascontiguousarray(image[:, ::-1])
    plain = pdq_from_rgb(image, dihedral=True)
    assert distance(plain.hex, pdq_from_rgb(mirrored).hex) > 31
    assert min(distance(v, pdq_from_rgb(mirrored).hex) for v in plain.dihedral) <= 31
