"""EXIF orientation: read it from the header, apply it to the small working copy.

Why not ``ImageOps.exif_transpose`` on the decoded image: it transposes the
full-size image. Rotating the 512 px working copy instead is hundreds of times
cheaper and gives the same pixels a viewer shows.
"""

from __future__ import annotations

from PIL import Image

_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


def orientation_of(img: Image.Image) -> int:
    """The EXIF orientation (1..8); 1 when absent or unreadable."""
    try:
        value = img.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a malformed EXIF block must not refuse the image
        return 1
    return value if isinstance(value, int) and value in range(1, 9) else 1


def orient(img: Image.Image, orientation: int) -> Image.Image:
    for step in _TRANSPOSE.get(orientation, ()):
        img = img.transpose(step)
    return img


def oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """The size as displayed: orientations 5 to 8 swap width and height."""
    return (height, width) if orientation >= 5 else (width, height)
