"""Turn any decoded frame into 8-bit RGB, whatever its mode.

Why care: ``Image.convert("RGB")`` clips 16-bit greyscale to white, ignores
alpha (so a figure drawn only in the alpha channel vanishes) and is undefined
for float images. Each mode is mapped here on purpose; transparent areas are
composited on white, as most viewers show them.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

_DIRECT = {"RGB"}
_CONVERTIBLE = {"L", "1", "CMYK", "YCbCr", "LAB", "HSV"}
_WITH_ALPHA = {"RGBA", "LA", "PA", "RGBa", "La"}
_WIDE_INT = {"I;16", "I;16L", "I;16B", "I;16N", "I"}


def has_alpha(img: Image.Image) -> bool:
    return img.mode in _WITH_ALPHA or (img.mode == "P" and "transparency" in img.info)


def to_rgb(img: Image.Image) -> Image.Image:
    """An RGB copy of ``img`` (a new image; ``img`` is left as it was)."""
    mode = img.mode
    if mode in _DIRECT:
        return img.copy()
    if has_alpha(img):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode in _CONVERTIBLE or mode == "P":
        return img.convert("RGB")
    if mode in _WIDE_INT or mode == "F":
        return _stretch_to_8bit(img).convert("RGB")
    raise ValueError(f"unsupported pixel mode {mode}")


def _stretch_to_8bit(img: Image.Image) -> Image.Image:
    """16-bit, 32-bit integer or float greyscale, scaled into 0..255."""
    values = np.asarray(img, dtype=np.float64)
    if img.mode.startswith("I;16"):
        scaled = values / 257.0
    else:
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        span = high - low if high > low else 1.0
        scaled = (np.nan_to_num(values, nan=low) - low) * (255.0 / span)
    return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8))
