"""How often PDQ still matches (distance <= 31) after everyday edits of benign images.

Each scikit-image sample photo (1024 px long side, JPEG q90) is banked; each edit
below is hashed as an upload would be and compared with the banked hash, both
plainly and with dihedral matching (the minimum over the 8 rotations/flips,
ConsentGate's default). Unrelated pairs give the false-match rate.

    python bench/hash_robustness.py

Writes bench/out/hash_robustness.json.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps
from skimage import data

from consentgate.hashing.image import hash_image_bytes

OUT = Path(__file__).resolve().parent / "out"
THRESHOLD = 31
NAMES = [
    *("astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry"),
    *("hubble_deep_field", "retina", "grass", "gravel", "brick", "colorwheel"),
    *("coins", "logo", "horse", "moon"),
]
Edit = Callable[[Image.Image], Image.Image]


def _crop(fraction: float) -> Edit:
    def edit(im: Image.Image) -> Image.Image:
        dx, dy = round(im.width * fraction), round(im.height * fraction)
        return im.crop((dx, dy, im.width - dx, im.height - dy))

    return edit


def _scale(factor: float) -> Edit:
    return lambda im: im.resize((round(im.width * factor), round(im.height * factor)))


def _border(fraction: float) -> Edit:
    return lambda im: ImageOps.expand(im, border=round(im.width * fraction), fill="white")


def _banner(fraction: float) -> Edit:
    def edit(im: Image.Image) -> Image.Image:
        out = im.copy()
        out.paste((255, 255, 255), (0, 0, im.width, round(im.height * fraction)))
        return out

    return edit


EDITS: dict[str, tuple[Edit, int]] = {  # edit, JPEG quality of the upload
    "re-encode JPEG q75": (lambda im: im, 75),
    "re-encode JPEG q30": (lambda im: im, 30),
    "re-encode JPEG q10": (lambda im: im, 10),
    "resize to 50%": (_scale(0.5), 90),
    "resize to 25%": (_scale(0.25), 90),
    "greyscale": (lambda im: im.convert("L").convert("RGB"), 90),
    "brightness x1.3": (lambda im: ImageEnhance.Brightness(im).enhance(1.3), 90),
    "brightness x0.7": (lambda im: ImageEnhance.Brightness(im).enhance(0.7), 90),
    "contrast x1.5": (lambda im: ImageEnhance.Contrast(im).enhance(1.5), 90),
    "mirror": (ImageOps.mirror, 90),
    "flip upside down": (ImageOps.flip, 90),
    "rotate 90": (lambda im: im.transpose(Image.Transpose.ROTATE_90), 90),
    "rotate 180": (lambda im: im.transpose(Image.Transpose.ROTATE_180), 90),
    "rotate 5 degrees": (lambda im: im.rotate(5, expand=False), 90),
    "crop 2% per side": (_crop(0.02), 90),
    "crop 5% per side": (_crop(0.05), 90),
    "crop 15% per side": (_crop(0.15), 90),
    "white border 5%": (_border(0.05), 90),
    "white border 15%": (_border(0.15), 90),
    "banner over top 10%": (_banner(0.10), 90),
}


def sample(name: str) -> Image.Image:
    image = np.asarray(getattr(data, name)())
    if image.dtype != np.uint8:
        image = (image * 255).astype(np.uint8) if image.max() <= 1 else image.astype(np.uint8)
    pil = Image.fromarray(image).convert("RGB")
    scale = 1024 / max(pil.size)
    return pil.resize((round(pil.width * scale), round(pil.height * scale)), Image.BICUBIC)


def encode(im: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality)
    return out.getvalue()


def distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def main() -> None:
    originals = {name: sample(name) for name in NAMES}
    banked = {name: hash_image_bytes(encode(im, 90)) for name, im in originals.items()}
    rows = []
    print(f"{'edit':24s} {'plain':>7s} {'dihedral':>9s}  median distance (plain / dihedral)")
    for label, (edit, quality) in EDITS.items():
        plain, dihedral = [], []
        for name, im in originals.items():
            upload = hash_image_bytes(encode(edit(im), quality), dihedral=True)
            plain.append(distance(banked[name].pdq, upload.pdq))
            dihedral.append(
                min(distance(banked[name].pdq, h) for h in (upload.pdq, *upload.dihedral))
            )
        row = {
            "edit": label,
            "match_rate_plain": round(sum(d <= THRESHOLD for d in plain) / len(plain), 3),
            "match_rate_dihedral": round(sum(d <= THRESHOLD for d in dihedral) / len(dihedral), 3),
            "median_plain": float(np.median(plain)),
            "median_dihedral": float(np.median(dihedral)),
        }
        rows.append(row)
        print(
            f"{label:24s} {row['match_rate_plain']:7.0%} {row['match_rate_dihedral']:9.0%}  "
            f"{row['median_plain']:.0f} / {row['median_dihedral']:.0f}",
            flush=True,
        )
    unrelated = [distance(banked[a].pdq, banked[b].pdq) for a, b in combinations(NAMES, 2)]
    false_rate = sum(d <= THRESHOLD for d in unrelated) / len(unrelated)
    print(
        f"\nunrelated pairs: {len(unrelated)}, false matches {false_rate:.1%}, "
        f"distance min {min(unrelated)} median {np.median(unrelated):.0f}; {len(NAMES)} images"
    )
    OUT.mkdir(exist_ok=True)
    result = {
        "images": len(NAMES),
        "threshold": THRESHOLD,
        "rows": rows,
        "unrelated_pairs": len(unrelated),
        "unrelated_false_match_rate": false_rate,
        "unrelated_min_distance": min(unrelated),
    }
    (OUT / "hash_robustness.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
