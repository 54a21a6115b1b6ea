"""Identify an image by its first bytes, never by its name or declared type.

Why our own check before Pillow's: Pillow can open dozens of formats, some
with large attack surfaces (EPS runs Ghostscript, for one). Only the six
formats we screen are ever handed to it, and a file that is something else
(a PDF, an HTML page, a HEIC photo) gets a message that says what it is.
"""

from __future__ import annotations

ACCEPTED = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
"""Formats accepted, as Pillow names them."""

PILLOW_FORMATS: dict[str, tuple[str, ...]] = {
    "JPEG": ("JPEG", "MPO"),  # MPO: a JPEG with extra pictures (cameras' stereo/preview)
    "PNG": ("PNG",),
    "GIF": ("GIF",),
    "WEBP": ("WEBP",),
    "BMP": ("BMP", "DIB"),
    "TIFF": ("TIFF",),
}

MEDIA_TYPES: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
"""The media type of each accepted format (sealed evidence records it)."""

_KNOWN_REFUSED = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"8BPS", "a Photoshop document"),
    (b"%!PS", "a PostScript file"),
    (b"\xff\x0a", "a JPEG XL image"),
)


def sniff(data: bytes) -> str | None:
    """The accepted format these bytes start with, or None."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    return None


def describe(data: bytes) -> str:
    """A short, safe description of what unaccepted bytes look like."""
    head = data[:64]
    for magic, what in _KNOWN_REFUSED:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("ascii", "replace").strip()
        if brand in {"heic", "heix", "hevc", "mif1", "msf1"}:
            return "a HEIC image"
        if brand.startswith("avi"):
            return "an AVIF image"
        return "a video or ISO media file"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<svg", b"<?xml")):
        return "an SVG or XML file"
    if stripped.startswith((b"<!doctype", b"<html")):
        return "an HTML page"
    return "not a recognised image"
