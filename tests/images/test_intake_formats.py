"""Every accepted format and pixel mode decodes to the same shared working copy."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from consentgate.images.intake import decode_image
from consentgate.images.limits import WORKING_SIZE, ImageLimits
from tests.images.samples import (
    animated,
    astronaut,
    encode,
    noise,
    photo,
    sixteen_bit_png,
    with_orientation,
)

FORMATS = [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WEBP"), ("GIF", "GIF"), ("BMP", "BMP")]
FORMATS += [("TIFF", "TIFF")]


@pytest.mark.parametrize(("save_as", "expected"), FORMATS)
def test_when_format_is_accepted_then_decodes_to_rgb_working_copy(
    save_as: str, expected: str
) -> None:
    image = decode_image(photo(save_as, 96))
    assert image.format == expected
    assert (image.width, image.height) == (96, 96)
    assert image.frames[0].shape == (96, 96, 3)
    assert image.frames[0].dtype == np.uint8
    assert image.scale == 1.0


MODES = [
    ("CMYK JPEG", lambda: encode(astronaut().convert("CMYK"), "JPEG"), "CMYK"),
    ("CMYK TIFF", lambda: encode(astronaut().convert("CMYK"), "TIFF"), "CMYK"),
    ("greyscale PNG", lambda: encode(astronaut().convert("L"), "PNG"), "L"),
    ("16-bit PNG", sixteen_bit_png, "I;16"),
    ("1-bit BMP", lambda: encode(astronaut().convert("1"), "BMP"), "1"),
    ("palette PNG", lambda: encode(astronaut().convert("P"), "PNG"), "P"),
    ("RGBA PNG", lambda: encode(astronaut().convert("RGBA"), "PNG"), "RGBA"),
    ("LA PNG", lambda: encode(astronaut().convert("LA"), "PNG"), "LA"),
    ("RGBA WebP", lambda: encode(half_transparent(), "WEBP"), "RGBA"),
]


def half_transparent() -> Image.Image:
    img = astronaut().convert("RGBA")
    img.putalpha(128)
    return img


@pytest.mark.parametrize(("case", "make", "mode"), MODES, ids=[m[0] for m in MODES])
def test_when_pixel_mode_is_unusual_then_converted_to_rgb(
    case: str, make: object, mode: str
) -> None:
    image = decode_image(make())  # type: ignore[operator]
    assert image.mode == mode
    frame = image.frames[0]
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8
    assert frame.std() > 5, f"{case} decoded to a flat image"


def test_when_16_bit_greyscale_then_range_is_kept_not_clipped_to_white() -> None:
    frame = decode_image(sixteen_bit_png()).frames[0]
    assert frame.min() < 10 and frame.max() > 200


def test_when_alpha_is_transparent_then_composited_on_white() -> None:
    clear = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    assert decode_image(encode(clear, "PNG")).frames[0].min() == 255


@pytest.mark.parametrize(("orientation", "swapped"), [(1, False), (3, False), (6, True), (8, True)])
def test_when_exif_orientation_set_then_applied_and_size_is_as_displayed(
    orientation: int, swapped: bool
) -> None:
    wide = astronaut().resize((120, 60))
    image = decode_image(with_orientation(wide, orientation))
    assert (image.width, image.height) == ((60, 120) if swapped else (120, 60))
    assert image.frames[0].shape[:2] == (image.height, image.width)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_when_animated_then_every_frame_is_decoded(fmt: str) -> None:
    image = decode_image(animated(fmt, 12))
    assert image.frame_count == 12
    assert len(image.frames) == 12
    assert image.frame_indices == tuple(range(12))


def test_when_animation_repeats_frames_then_each_distinct_frame_kept_once() -> None:
    image = decode_image(animated("GIF", 30, distinct=False))
    assert image.frame_count == 30
    assert len(image.frames) == 2
    assert image.frame_indices == (0, 1)


def test_when_large_photo_then_downscaled_once_to_working_size() -> None:
    image = decode_image(encode(noise(3000, 1500), "JPEG"))
    assert (image.width, image.height) == (3000, 1500)
    assert image.frames[0].shape == (WORKING_SIZE // 2, WORKING_SIZE, 3)
    assert image.scale == pytest.approx(WORKING_SIZE / 3000)
    assert image.to_original(WORKING_SIZE) == 3000


@pytest.mark.parametrize(
    ("width", "height"), [(1, 1), (20_000, 1), (20_000, 3), (1, 20_000)], ids=str
)
def test_when_extreme_shape_then_decodes_without_error(width: int, height: int) -> None:
    image = decode_image(encode(noise(width, height), "PNG"))
    assert (image.width, image.height) == (width, height)
    h, w = image.frames[0].shape[:2]
    assert max(w, h) == min(WORKING_SIZE, max(width, height)) and min(w, h) >= 1


def test_when_limits_raised_then_1000_frame_gif_is_screened() -> None:
    image = decode_image(animated("GIF", 1000, size=2), ImageLimits(max_frames=1000))
    assert image.frame_count == 1000


def test_when_same_bytes_then_same_digests() -> None:
    data = photo("PNG")
    a, b = decode_image(data), decode_image(data)
    assert (a.md5, a.sha256) == (b.md5, b.sha256)
    assert len(a.sha256) == 64
