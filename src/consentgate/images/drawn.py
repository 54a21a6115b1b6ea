"""A benign drawn picture (sky, two hills, a sun): what a stand-in generator returns.

``self`` answers an allowed generation with it, and ``examples/fake_upstream.py``
answers every request with it, so the gateway and the assessment can be tried
end to end with an image that is harmless by construction. It needs Pillow
alone, so a fake upstream that draws it loads nothing else of ConsentGate.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

__all__ = ["drawn_landscape"]


def drawn_landscape(width: int = 256, height: int = 160) -> bytes:
    """The picture as PNG bytes."""
    img = Image.new("RGB", (width, height), (120, 180, 240))
    draw = ImageDraw.Draw(img)
    draw.ellipse((180, 15, 220, 55), fill=(250, 220, 80))
    draw.polygon([(0, height), (80, 70), (160, height)], fill=(70, 140, 70))
    draw.polygon([(110, height), (190, 85), (width, height)], fill=(50, 120, 60))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
