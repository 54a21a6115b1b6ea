"""False positives of every image detector on benign photos, and face-detection recall.

No harmful image is made or used. The benign set is scikit-image's sample
images and variants made of them here:

- photos with a face (astronaut, camera): crops that keep the face, rotations
  up to 20 degrees, mirror, colour shifts (brightness, greyscale, sepia, hue),
  JPEG at quality 20, the face small (pasted at 1/4 size into a 1024 px scene)
  and large (a tight crop filling the frame), and LFW's 100 face crops;
- photos without a face: every other sample (a cat, a rocket, coffee, coins,
  text, a retina, galaxies, ...), their crops, rotations and colour shifts, the
  spacesuit below the astronaut's face, LFW's 100 non-face crops, and drawn
  scenes (shapes, a grid, gradients, noise, text).

For each detector it reports how often it fires on benign images (``faces``:
real_person where there is no face; ``age``: possible_minor on the adults'
faces; ``nudity`` and ``nsfw_score``: nudity or body_revealing anywhere) and,
for ``faces``, the recall on the images with a face. Results go to
bench/out/image_benign.json.

    .venv/bin/python bench/image_benign.py
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps
from skimage import data

from consentgate.detectors.age import AgeDetector
from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.faces import FaceDetector
from consentgate.detectors.nsfw_score import NsfwScoreDetector
from consentgate.detectors.nudity import NudityDetector
from consentgate.images.intake import decode_image
from consentgate.records import Label, ScreenRequest

OUT = Path(__file__).resolve().parent / "out" / "image_benign.json"
NO_FACE_SAMPLES = [
    "chelsea", "cat", "coffee", "rocket", "brick", "grass", "gravel", "coins", "colorwheel",
    "horse", "hubble_deep_field", "immunohistochemistry", "logo", "moon", "page", "retina",
    "text", "clock", "cell", "checkerboard", "binary_blobs", "microaneurysms",
    "shepp_logan_phantom",
]  # fmt: skip
Sample = tuple[str, Image.Image]


def rgb(array: np.ndarray) -> Image.Image:  # type: ignore[type-arg]
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.dtype != np.uint8:
        span = float(array.max() - array.min()) or 1.0
        array = ((array - array.min()) / span * 255).astype(np.uint8)
    return Image.fromarray(array).convert("RGB")


def colour_variants(name: str, img: Image.Image) -> Iterator[Sample]:
    yield f"{name}/darker", ImageEnhance.Brightness(img).enhance(0.6)
    yield f"{name}/brighter", ImageEnhance.Brightness(img).enhance(1.4)
    yield f"{name}/grey", ImageOps.grayscale(img).convert("RGB")
    yield f"{name}/sepia", ImageOps.colorize(ImageOps.grayscale(img), "#3b2412", "#f4e2c4")
    hsv = np.asarray(img.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(int) + 60) % 256
    yield f"{name}/hue+60", Image.fromarray(hsv, "HSV").convert("RGB")


def geometric_variants(name: str, img: Image.Image) -> Iterator[Sample]:
    w, h = img.size
    yield f"{name}/mirror", ImageOps.mirror(img)
    for angle in (-20, -10, 10, 20):
        yield f"{name}/rot{angle}", img.rotate(angle, resample=Image.Resampling.BILINEAR)
    yield f"{name}/crop-centre", img.crop((w // 8, h // 8, w - w // 8, h - h // 8))
    yield f"{name}/jpeg-q20", Image.open(io.BytesIO(jpeg(img, 20)))


def with_faces() -> Iterator[Sample]:
    astronaut, camera = rgb(data.astronaut()), rgb(data.camera())
    for name, img in (("astronaut", astronaut), ("camera", camera)):
        yield name, img
        yield from colour_variants(name, img)
        yield from geometric_variants(name, img)
    yield "astronaut/crop-top-left", astronaut.crop((0, 0, 360, 360))
    yield "astronaut/crop-head", astronaut.crop((120, 20, 330, 230))
    yield "astronaut/large-face", astronaut.crop((165, 60, 285, 180)).resize((512, 512))
    yield "camera/large-face", camera.crop((150, 50, 310, 260)).resize((512, 640))
    scene = rgb(data.grass()).resize((1024, 1024))
    scene.paste(astronaut.resize((128, 128)), (600, 300))
    yield "astronaut/small-in-scene", scene
    yield "astronaut/upscaled-2048", astronaut.resize((2048, 2048))
    for i, face in enumerate(data.lfw_subset()[:100]):
        yield f"lfw-face/{i}", rgb(face).resize((100, 100), Image.Resampling.BICUBIC)


def drawn_scenes() -> Iterator[Sample]:
    rng = np.random.default_rng(7)
    for i in range(10):
        img = Image.new("RGB", (512, 384), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(img)
        for _ in range(12):
            x, y = (int(v) for v in rng.integers(0, 480, 2))
            size = int(rng.integers(10, 160))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            shape = (draw.ellipse, draw.rectangle)[int(rng.integers(0, 2))]
            shape((x, y, x + size, y + size // 2 + 5), fill=colour)
        draw.text((20, 20), f"drawn scene {i}", fill=(0, 0, 0))
        yield f"drawn/shapes-{i}", img
    grid = Image.new("RGB", (512, 512), "white")
    for k in range(0, 512, 32):
        ImageDraw.Draw(grid).line((k, 0, k, 512), fill="black")
        ImageDraw.Draw(grid).line((0, k, 512, k), fill="black")
    yield "drawn/grid", grid
    ramp = np.linspace(0, 255, 512, dtype=np.uint8)
    yield "drawn/gradient", Image.fromarray(np.stack([np.tile(ramp, (512, 1))] * 3, -1))
    yield "drawn/noise", Image.fromarray(rng.integers(0, 256, (512, 512, 3), dtype=np.uint8))


def without_faces() -> Iterator[Sample]:
    for name in NO_FACE_SAMPLES:
        img = rgb(getattr(data, name)())
        yield name, img
        if name in ("chelsea", "cat", "coffee", "rocket", "horse", "coins", "clock"):
            yield from colour_variants(name, img)
            yield from geometric_variants(name, img)
    astronaut = rgb(data.astronaut())
    yield "astronaut/spacesuit-only", astronaut.crop((0, 200, 512, 512))
    yield "astronaut/flag-and-suit", astronaut.crop((250, 180, 512, 512))
    for i, patch in enumerate(data.lfw_subset()[100:]):
        yield f"lfw-nonface/{i}", rgb(patch).resize((100, 100), Image.Resampling.BICUBIC)
    yield from drawn_scenes()


def jpeg(img: Image.Image, quality: int = 95) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def fires(detector: Detector, inp: ScreenInput, labels: set[str]) -> list[str]:
    return sorted({s.label for s in detector.detect(inp) if s.fired and s.label in labels})


def evaluate() -> dict[str, Any]:
    detectors: dict[str, tuple[Detector, set[str]]] = {
        "faces": (FaceDetector(), {Label.REAL_PERSON}),
        "age": (AgeDetector(), {Label.POSSIBLE_MINOR}),
        "nsfw_score": (NsfwScoreDetector(every_image=True), {Label.NUDITY, Label.BODY_REVEALING}),
    }
    if NudityDetector.unavailable_reason() is None:
        detectors["nudity"] = (NudityDetector(), {Label.NUDITY, Label.BODY_REVEALING})
    tally: dict[str, dict[str, Any]] = {
        name: {"images": 0, "fired": 0, "examples": []} for name in detectors
    }
    recall: dict[str, Any] = {"with_face": 0, "found": 0, "missed": []}
    by_kind = {"photos": [0, 0], "lfw_crops": [0, 0]}
    groups: list[tuple[bool, Callable[[], Iterator[Sample]]]] = [
        (True, with_faces),
        (False, without_faces),
    ]
    for has_face, make in groups:
        for name, img in make():
            inp = ScreenInput(ScreenRequest(), source=decode_image(jpeg(img)))
            for det_name, (detector, labels) in detectors.items():
                fired = fires(detector, inp, labels)
                if det_name == "faces" and has_face:
                    recall["with_face"] += 1
                    recall["found"] += bool(fired)
                    kind = by_kind["lfw_crops" if name.startswith("lfw") else "photos"]
                    kind[0] += 1
                    kind[1] += bool(fired)
                    if not fired:
                        recall["missed"].append(name)
                    continue
                if det_name == "age" and not has_face:
                    continue  # the age detector is measured on the adults' faces
                row = tally[det_name]
                row["images"] += 1
                if fired:
                    row["fired"] += 1
                    row["examples"].append(f"{name}: {', '.join(fired)}")
    for row in tally.values():
        row["false_positive_rate"] = round(row["fired"] / max(1, row["images"]), 4)
    recall["recall"] = round(recall["found"] / max(1, recall["with_face"]), 4)
    recall["by_kind"] = {k: {"images": n, "found": f} for k, (n, f) in by_kind.items()}
    return {"false_positives": tally, "face_recall": recall}


def main() -> None:
    started = time.perf_counter()
    results = evaluate()
    results["seconds"] = round(time.perf_counter() - started, 1)
    print("false positives on benign images (fired / images)")
    for name, row in results["false_positives"].items():
        shown = "; ".join(row["examples"][:6])
        print(f"  {name:<11} {row['fired']:>3} / {row['images']:<4} "
              f"= {row['false_positive_rate']:.1%}  {shown}")  # fmt: skip
    rec = results["face_recall"]
    print(f"face recall: {rec['found']} / {rec['with_face']} = {rec['recall']:.1%}")
    for kind, row in rec["by_kind"].items():
        print(f"  {kind}: {row['found']} / {row['images']}")
    print(f"  missed: {', '.join(rec['missed'][:20])}{' ...' if len(rec['missed']) > 20 else ''}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    print(f"{results['seconds']} s; written to bench/out/image_benign.json")


if __name__ == "__main__":
    main()
