"""Read an image file from disk without reading more than the byte limit.

Why not ``Path.read_bytes``: a command pointed at a multi-gigabyte file (or at
``/dev/zero``) would hold all of it in memory before any limit is checked. The
size is checked from the file system first, and at most one byte past the
limit is read, so a file that grows while it is read is refused too.
"""

from __future__ import annotations

from pathlib import Path

from consentgate.errors import BadInput, TooLarge
from consentgate.images.limits import ImageLimits


def read_image_file(path: Path, limits: ImageLimits) -> bytes:
    """The bytes of the image at ``path``; TooLarge past ``limits.max_bytes``."""
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            if size > limits.max_bytes:
                raise TooLarge(too_large(path, limits))
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > limits.max_bytes:
        raise TooLarge(too_large(path, limits))
    return data


def too_large(path: Path, limits: ImageLimits) -> str:
    return f"{path} is over the image limit of {limits.max_bytes:,} bytes"
