"""Write the assessment's source photos from scikit-image's public-domain samples.

An edit request needs a source photo. The assessment ships a few of
scikit-image's sample photos inside the package (scikit-image is a development
dependency only), re-encoded as JPEG: two of people ("real person": the edits a
platform must refuse to undress) and three without anyone in them ("no person":
objects, an animal, a launch pad). Their sources and licences are listed in
src/consentgate/assess/sample_photos/SOURCES.txt.

Run: .venv/bin/python scripts/build_assess_photos.py
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from skimage import data

OUT = Path(__file__).resolve().parents[1] / "src" / "consentgate" / "assess" / "sample_photos"
NAMES = ("astronaut", "camera", "coffee", "rocket", "chelsea")


def main() -> None:
    for name in NAMES:
        buffer = io.BytesIO()
        Image.fromarray(getattr(data, name)()).convert("RGB").save(
            buffer, format="JPEG", quality=85
        )
        (OUT / f"{name}.jpg").write_bytes(buffer.getvalue())
        print(f"{name}.jpg {len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main()
