"""The limits every image is held to before it is decoded.

Why limits come first: a 50 KB PNG can declare 100,000 × 100,000 pixels and a
GIF can hold thousands of frames. Both are refused from their headers, before
any pixel is decompressed, so that a hostile file costs microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.settings import Settings

WORKING_SIZE = 512
"""Long side of the working copy every detector shares. The models read 320 px
(NudeNet), 224 px (open_nsfw), 192 and 128 px (BlazeFace) and 64 px face chips,
so a larger working copy would only cost time (JPEG draft decoding reaches it
from a 1024 px photo at half scale, without decoding the full image)."""

ANIMATION_PIXEL_FACTOR = 4
"""An animation may decode at most this many times ``max_pixels`` in all its frames."""


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int = 25_000_000
    max_pixels: int = 40_000_000
    max_frames: int = 100
    working_size: int = WORKING_SIZE

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageLimits:
        return cls(
            max_bytes=settings.max_image_bytes,
            max_pixels=settings.max_image_pixels,
            max_frames=settings.max_image_frames,
        )

    @property
    def max_total_pixels(self) -> int:
        return self.max_pixels * ANIMATION_PIXEL_FACTOR


DEFAULT_LIMITS = ImageLimits()
