"""Benign sample images (scikit-image) shared by the hashing tests."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image
from skimage import data

NAMES = [
    *("astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry"),
    *("hubble_deep_field", "retina", "moon", "grass", "gravel", "brick", "colorwheel"),
    *("coins", "clock", "logo", "horse"),
]


def rgb(name: str) -> npt.NDArray[np.uint8]:
    image = np.asarray(getattr(data, name)())
    if image.dtype != np.uint8:
        image = (image * 255).astype(np.uint8) if image.max() <= 1 else image.astype(np.uint8)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])


def jpeg(image: npt.NDArray[np.uint8], long_side: int | None = None, quality: int = 90) -> bytes:
    pil = Image.fromarray(image)
    if long_side is not None:
        scale = long_side / max(pil.size)
        pil = pil.resize((round(pil.width * scale), round(pil.height * scale)), Image.BICUBIC)
    out = io.BytesIO()
    pil.save(out, "JPEG", quality=quality)
    return out.getvalue()


def distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")
