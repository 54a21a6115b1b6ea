"""PDQ hashing speed and agreement: ConsentGate's hasher vs Meta's reference binding.

For each benign sample image (scikit-image), resized to a 1024 px long side and
encoded as JPEG q90 in memory, time decode + PDQ:
  - reference: PIL full decode -> RGB array -> ``pdqhash.compute`` (the C++ core)
  - consentgate: ``hash_image_bytes`` (reduced-size JPEG decode, 64-sample filter)
and report the Hamming distance between the two hashes. One thread for both.

    python bench/hash_speed.py [--side 1024] [--repeat 5]

Writes bench/out/hash_speed.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pdqhash  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from consentgate.hashing.image import hash_image_bytes  # noqa: E402
from consentgate.hashing.jarosz import weights  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
NAMES = [
    *("astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry"),
    *("hubble_deep_field", "retina", "moon", "grass", "gravel", "brick", "colorwheel"),
    *("coins", "clock", "logo", "horse"),
]


def sample_jpeg(name: str, side: int) -> bytes:
    image = np.asarray(getattr(data, name)())
    if image.dtype != np.uint8:
        image = (image * 255).astype(np.uint8) if image.max() <= 1 else image.astype(np.uint8)
    pil = Image.fromarray(image).convert("RGB")
    scale = side / max(pil.size)
    pil = pil.resize((round(pil.width * scale), round(pil.height * scale)), Image.BICUBIC)
    out = io.BytesIO()
    pil.save(out, "JPEG", quality=90)
    return out.getvalue()


def reference(jpeg: bytes) -> tuple[str, int]:
    rgb = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
    bits, quality = pdqhash.compute(rgb)
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def best_ms(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description="PDQ speed and agreement")
    parser.add_argument("--side", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for name in NAMES:
        jpeg = sample_jpeg(name, args.side)
        ref_hex, ref_q = reference(jpeg)
        ours = hash_image_bytes(jpeg)

        def cold(j: bytes = jpeg) -> None:
            weights.cache_clear()  # as for the first image of a new size
            hash_image_bytes(j)

        cold_ms = best_ms(cold, args.repeat)
        row = {
            "image": name,
            "kb": round(len(jpeg) / 1024, 1),
            "reference_ms": round(best_ms(lambda j=jpeg: reference(j), args.repeat), 2),
            "consentgate_ms": round(best_ms(lambda j=jpeg: hash_image_bytes(j), args.repeat), 2),
            "consentgate_new_size_ms": round(cold_ms, 2),
            "dihedral_ms": round(
                best_ms(lambda j=jpeg: hash_image_bytes(j, dihedral=True), args.repeat), 2
            ),
            "distance": bin(int(ref_hex, 16) ^ int(ours.pdq, 16)).count("1"),
            "quality_ref": ref_q,
            "quality": ours.quality,
        }
        rows.append(row)
        print(
            f"{name:22s} {row['kb']:7.1f} KB  reference {row['reference_ms']:7.2f} ms  "
            f"consentgate {row['consentgate_ms']:6.2f} ms "
            f"(new size {row['consentgate_new_size_ms']:6.2f}, "
            f"dihedral {row['dihedral_ms']:6.2f})  "
            f"distance {row['distance']:2d}  quality {ref_q}/{ours.quality}",
            flush=True,
        )
    ref = float(np.median([r["reference_ms"] for r in rows]))
    ours_ms = float(np.median([r["consentgate_ms"] for r in rows]))
    cold = float(np.median([r["consentgate_new_size_ms"] for r in rows]))
    dist = [int(r["distance"]) for r in rows]
    summary = {
        "side": args.side,
        "images": len(rows),
        "reference_median_ms": round(ref, 2),
        "consentgate_median_ms": round(ours_ms, 2),
        "consentgate_max_ms": max(float(r["consentgate_ms"]) for r in rows),
        "consentgate_new_size_median_ms": round(cold, 2),
        "speedup": round(ref / ours_ms, 1),
        "distance_median": float(np.median(dist)),
        "distance_max": max(dist),
    }
    print(
        f"\nmedian: reference {ref:.2f} ms, consentgate {ours_ms:.2f} ms "
        f"(first image of a new size {cold:.2f} ms) "
        f"({summary['speedup']}x); distance to reference median {summary['distance_median']}, "
        f"max {summary['distance_max']} over {len(rows)} images at {args.side} px"
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "hash_speed.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
