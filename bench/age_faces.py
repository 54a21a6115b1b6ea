"""Age reading per face: the whole estimate (alignment, mirror, calibration) per face,
for 1, 10 and 30 faces in one frame, beside the network's own run on ready chips in
the same process (the baseline), with keypoints and from the box alone.

Why: a crowd photo costs one network run per face and its mirror; the detector reads
at most ``MAX_FACES`` faces a frame. Figures are medians of ``--rounds`` runs on one
thread, as milliseconds per face.

    .venv/bin/python bench/age_faces.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
from skimage import data

from consentgate.detectors.vision.age_calibration import AgeCalibration
from consentgate.detectors.vision.age_model import AGE_MODEL, MEANS, AgeModel, aligned_chip
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.onnx import single_thread_session

# scikit-image's astronaut: BlazeFace's box and keypoints at 512 px.
BOX = (173.4, 68.0, 279.8, 174.4)
KEYPOINTS = ((205.3, 101.9), (246.5, 105.2), (224.3, 130.0), (223.2, 148.1))


def median_ms(work: Callable[[], object], rounds: int) -> float:
    work()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(
    model: AgeModel,
    cal: AgeCalibration,
    frame: np.ndarray,  # type: ignore[type-arg]
    n: int,
    rounds: int,
) -> dict[str, float]:
    """Median milliseconds per face with ``n`` faces in the frame."""
    session = single_thread_session(AGE_MODEL.read())
    name = session.get_inputs()[0].name
    keyed = [RawFace(BOX, 0.9, KEYPOINTS)] * n
    boxed = [RawFace(BOX, 0.9, ())] * n
    chips = np.stack([aligned_chip(frame, f) for f in keyed]).astype(np.float32)
    tensor = ((chips - MEANS) / 256.0).transpose(0, 3, 1, 2)
    batch = np.ascontiguousarray(np.concatenate([tensor, tensor[..., ::-1]]))
    ms = {
        "network alone (baseline)": median_ms(lambda: session.run(None, {name: batch}), rounds),
        "estimate, keypoints": median_ms(
            lambda: [cal.calibrate(e) for e in model.estimate(frame, keyed)], rounds
        ),
        "estimate, box only": median_ms(
            lambda: [cal.calibrate(e) for e in model.estimate(frame, boxed)], rounds
        ),
    }
    return {k: round(v / n, 2) for k, v in ms.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    frame = data.astronaut()
    model, cal = AgeModel(AGE_MODEL.read()), AgeCalibration.load()
    rows = {f"{n} faces": measure(model, cal, frame, n, args.rounds) for n in (1, 10, 30)}
    print(json.dumps({"ms per face (median)": rows}, indent=2))


if __name__ == "__main__":
    main()
