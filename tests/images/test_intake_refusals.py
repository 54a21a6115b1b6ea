"""Hostile, broken and unsupported files are refused with a typed, one-line error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentgate.errors import BadInput, TooLarge, UnsupportedMedia
from consentgate.images.intake import decode_image
from consentgate.images.limits import ImageLimits
from tests.images.samples import animated, encode, noise, photo, png_bomb, png_declaring

FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"]

REFUSALS: list[tuple[str, Callable[[], bytes], type[BadInput], str]] = [
    ("empty", lambda: b"", BadInput, "empty"),
    ("html named .jpg", lambda: b"<!DOCTYPE html><html>hi</html>", UnsupportedMedia, "HTML"),
    ("pdf", lambda: b"%PDF-1.7\n%...", UnsupportedMedia, "PDF"),
    ("svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"/>', UnsupportedMedia, "SVG"),
    ("heic", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", UnsupportedMedia, "HEIC"),
    ("zip", lambda: b"PK\x03\x04" + b"\x00" * 40, UnsupportedMedia, "ZIP"),
    ("text", lambda: b"hello, world", UnsupportedMedia, "not a recognised image"),
    ("decompression bomb", png_bomb, TooLarge, "limit is 40,000,000 pixels"),
    ("declared 1e10 pixels", lambda: png_declaring(100_000, 100_000), TooLarge, "pixels"),
    ("1,000-frame GIF", lambda: animated("GIF", 1000, size=2), TooLarge, "1,000 frames"),
    ("zero-width PNG", lambda: png_declaring(0, 10), BadInput, ""),
]
REFUSALS += [
    (f"truncated {fmt}", lambda fmt=fmt: photo(fmt, 64)[: len(photo(fmt, 64)) // 2], BadInput, fmt)
    for fmt in FORMATS
]
REFUSALS += [
    (f"{fmt} magic then garbage", lambda fmt=fmt: photo(fmt)[:12] + b"\x07" * 300, BadInput, "")
    for fmt in FORMATS
]


@pytest.mark.parametrize(("case", "make", "error", "says"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_when_file_is_hostile_or_broken_then_typed_one_line_error(
    case: str, make: Callable[[], bytes], error: type[BadInput], says: str
) -> None:
    with pytest.raises(error) as caught:
        decode_image(make())
    message = caught.value.message
    assert "\n" not in message and len(message) < 200
    assert says in message
    assert caught.value.exit_code == 2


def test_when_bytes_exceed_limit_then_too_large_before_decoding() -> None:
    with pytest.raises(TooLarge, match="bytes"):
        decode_image(photo("PNG"), ImageLimits(max_bytes=100))


def test_when_animation_total_pixels_exceed_budget_then_too_large() -> None:
    limits = ImageLimits(max_pixels=1_000, max_frames=100)  # budget: 4,000 pixels
    with pytest.raises(TooLarge, match="animation"):
        decode_image(animated("GIF", 50, size=20), limits)


def test_when_pixel_limit_configured_then_applied() -> None:
    with pytest.raises(TooLarge):
        decode_image(encode(noise(200, 200), "PNG"), ImageLimits(max_pixels=39_999))
    assert decode_image(encode(noise(200, 200), "PNG"), ImageLimits(max_pixels=40_000))


SEEDS = {fmt: photo(fmt, 24) for fmt in ("PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 10_000),
)
def test_when_valid_file_is_mutated_then_decodes_or_refuses_never_crashes(
    fmt: str, edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(SEEDS[fmt])
    for offset, value in edits:
        data[offset % len(data)] = value
    data = data[: max(1, len(data) - cut % len(data))]
    try:
        image = decode_image(bytes(data))
    except BadInput as exc:
        assert "\n" not in exc.message
    else:
        assert image.frames and image.frames[0].ndim == 3
