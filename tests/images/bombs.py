"""Decompression bombs made in the test: tiny files that declare huge images."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image

BOMB_SIDE = 12_000  # 144 megapixels: past the 40 MP default, under Pillow's own ~178 MP guard


@cache
def png_bomb() -> bytes:
    """A 12,000 × 12,000 one-bit PNG: a few tens of kilobytes that decode to gigabytes of RGB."""
    out = io.BytesIO()
    Image.new("1", (BOMB_SIDE, BOMB_SIDE)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_bomb_file(folder: Path) -> Path:
    path = folder / "bomb.png"
    path.write_bytes(png_bomb())
    return path
