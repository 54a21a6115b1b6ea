"""Working-copy boxes back to original-image pixels, clipped to the image."""

from __future__ import annotations

from consentgate.images.decoded import DecodedImage
from consentgate.records import Box


def to_box(image: DecodedImage, box: tuple[float, float, float, float]) -> Box:
    """``[x0, y0, x1, y1]`` in working pixels as a Box in original pixels."""
    x0 = min(max(image.to_original(box[0]), 0), image.width - 1)
    y0 = min(max(image.to_original(box[1]), 0), image.height - 1)
    x1 = min(max(image.to_original(box[2]), x0 + 1), image.width)
    y1 = min(max(image.to_original(box[3]), y0 + 1), image.height)
    return Box(x=x0, y=y0, width=x1 - x0, height=y1 - y0)
