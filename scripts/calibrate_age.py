"""Fit the age calibration and choose the age thresholds on the people development set.

Reads ``data/people/manifest.csv`` (photos labelled by eye, each face with a box and
an apparent age group; the images are kept outside the repository, see
``scripts/people_set.py``), runs the same face finder and age network as the
detector, and writes ``src/consentgate/detectors/models/age_calibration-<version>.json``.

Faces: a face found by the face finder takes the label of the labelled box it
overlaps best (IoU >= 0.3); found faces with no labelled box, or with a box of
unknown age (a face in a crowd too small to judge by eye), are left out of the fit
but count in the photo figures, as they would in a screen. Photos, by the youngest
age judged by eye, faces and people without a face box alike (``people_set.Photo.group``):
*adult-only*, *with a child* (under 13) or *with a teen* (13 to 17).

Fit: one Platt scaling per quantity, by logistic regression on the logit of the raw
mass: P(under 18) on adult vs teen and child faces, P(under 13) on child vs the rest.
From version 3, per face-size band (``SIZE_BANDS``, working-copy px on the face's
longer side): one regression with the pooled slope and intercept plus a slope and
intercept offset per band, all under the same L2 penalty, so a band with few
children is shrunk towards the pooled fit; a band whose slope would not rise takes
the pooled constants. The file records the set, date, commit and n per band.

Thresholds, on calibrated P(under 18), per photo (a photo's score is its highest
face; a face too small to read or past the cap counts as uncertain):

* the confident-minor threshold is the lowest value at which at most
  ``MAX_ADULT_RATE`` of adult-only photos fire (never under ``MIN_MINOR``), rounded
  up to a multiple of 0.05;
* the review threshold is the highest value at which at least ``MIN_CHILD_FLAGGED``
  of photos with a child are flagged (fired or uncertain), rounded down to a
  multiple of 0.05.

These are development figures: the set's errors were read while choosing them.

Run: .venv/bin/python scripts/calibrate_age.py [--version 3] [--people DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from consentgate.detectors.age import frame_ages, readable
from consentgate.detectors.vision.age_calibration import AgeCalibration, Platt, SizeBand
from consentgate.detectors.vision.age_model import AgeEstimate
from consentgate.detectors.vision.face_finder import face_finder, face_models
from consentgate.detectors.vision.geometry import to_box
from consentgate.images.intake import decode_image
from consentgate.images.limits import ImageLimits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from people_set import AGES, MANIFEST, default_dir, read_manifest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "src" / "consentgate" / "detectors" / "models"
MAX_ADULT_RATE = 0.02
MIN_CHILD_FLAGGED = 0.90
MIN_MINOR = 0.5  # a confident minor is never below even odds
MATCH_IOU = 0.3
GRID = 0.05
EPS = 1e-6
SIZE_BANDS: tuple[float | None, ...] = (48.0, 96.0, None)  # below these px; last open
Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Face:
    p_minor: float  # raw
    p_child: float  # raw
    size: float  # working-copy px, the face's longer side
    age: str | None  # the labelled group, None when no labelled box matches


@dataclass(frozen=True)
class Photo:
    name: str
    group: str  # youngest age judged by eye: "child", "teen", "adult", or "none"
    faces: list[Face]
    unread: int  # faces too small to read or past the cap


def iou(a: Rect, b: Rect) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def match(found: dict[int, Rect], labelled: list[tuple[Rect, str]]) -> dict[int, str]:
    """Each labelled box to at most one found face, best overlap first (IoU >= 0.3)."""
    pairs = sorted(
        (
            (iou(rect, box), i, j)
            for i, rect in found.items()
            for j, (box, _) in enumerate(labelled)
        ),
        reverse=True,
    )
    ages: dict[int, str] = {}
    used: set[int] = set()
    for overlap, i, j in pairs:
        if overlap >= MATCH_IOU and i not in ages and j not in used:
            ages[i] = labelled[j][1]
            used.add(j)
    return ages


def read_photos(people: Path) -> list[Photo]:
    photos: list[Photo] = []
    for entry in read_manifest():
        labelled = [((f.x, f.y, f.x + f.w, f.y + f.h), f.age) for f in entry.faces]
        group = entry.group if entry.group in AGES else "none"
        image = decode_image((people / entry.local_name).read_bytes(), ImageLimits())
        faces: list[Face] = []
        unread = 0
        for frame, estimates in zip(face_finder().faces(image), frame_ages(image), strict=True):
            unread += len(frame.faces) - len(readable(frame.faces))
            found = {i: to_box(image, frame.faces[i].box) for i in estimates}
            rects = {i: (b.x, b.y, b.x + b.width, b.y + b.height) for i, b in found.items()}
            ages = match(rects, labelled) if frame.position == 0 else {}  # boxes: first frame
            faces += [  # a face boxed as of unknown age is left out of the fit, as unmatched
                Face(e.p_minor, e.p_child, frame.faces[i].size, known(ages.get(i)))
                for i, e in estimates.items()
            ]
        photos.append(Photo(entry.local_name, group, faces, unread))
    return photos


def known(age: str | None) -> str | None:
    return age if age in AGES else None


def logit(s: float) -> float:
    return math.log(max(s, EPS) / max(1 - s, EPS))


def platt(scores: list[float], labels: list[bool]) -> Platt:
    x = np.array([[logit(s)] for s in scores])
    fit = LogisticRegression(C=1.0).fit(x, np.array(labels))
    return Platt(float(fit.coef_[0][0]), float(fit.intercept_[0]))


def band_of(size: float) -> int:
    return next(i for i, top in enumerate(SIZE_BANDS) if top is None or size < top)


def banded_platt(
    scores: list[float], sizes: list[float], labels: list[bool]
) -> tuple[Platt, list[Platt]]:
    """Pooled scaling plus one per band, fitted jointly; band offsets shrink to zero."""
    k = len(SIZE_BANDS)
    rows = []
    for s, size in zip(scores, sizes, strict=True):
        z, one = logit(s), np.eye(k)[band_of(size)]
        rows.append([z, *(z * one), *one])
    fit = LogisticRegression(C=1.0).fit(np.array(rows), np.array(labels))
    coef, b0 = fit.coef_[0], float(fit.intercept_[0])
    pooled = Platt(float(coef[0]), b0)
    bands = []
    for i in range(k):
        a = float(coef[0] + coef[1 + i])
        bands.append(Platt(a, b0 + float(coef[1 + k + i])) if a > 0 else pooled)
    return pooled, bands


def calibrated(face: Face, cal: AgeCalibration) -> float:
    return cal.calibrate(AgeEstimate(0.0, face.p_minor, face.p_child), face.size).p_minor


def photo_score(photo: Photo, cal: AgeCalibration) -> tuple[float, bool]:
    """Highest calibrated P(under 18) of the read faces, and whether a face went unread."""
    return max((calibrated(f, cal) for f in photo.faces), default=0.0), photo.unread > 0


def choose(photos: list[Photo], cal: AgeCalibration) -> tuple[float, float]:
    """Both thresholds, rounded outwards to a 0.05 grid (no knife edge on one photo)."""
    adults = sorted((photo_score(p, cal)[0] for p in photos if p.group == "adult"), reverse=True)
    allowed = math.floor(MAX_ADULT_RATE * len(adults))
    top = adults[allowed] if allowed < len(adults) else 0.0
    threshold = min(1.0, max(MIN_MINOR, math.floor(top / GRID + 1) * GRID))
    children = [photo_score(p, cal) for p in photos if p.group == "child"]
    review = 0.0
    for r in sorted({s for s, _ in children if s < threshold}, reverse=True):
        if sum(s >= r or u for s, u in children) >= MIN_CHILD_FLAGGED * len(children):
            review = math.floor(r / GRID) * GRID
            break
    return round(threshold, 4), round(review, 4)


def figures(photos: list[Photo], cal: AgeCalibration) -> dict[str, dict[str, int]]:
    """Per photo group and per labelled face: how many fired, how many flagged."""
    out: dict[str, dict[str, int]] = {}
    for group in ("adult", "teen", "child"):
        rows = [photo_score(p, cal) for p in photos if p.group == group]
        out[f"{group} photos"] = {
            "n": len(rows),
            "fired": sum(s >= cal.minor_threshold for s, _ in rows),
            "fired_or_uncertain": sum(s >= cal.review_threshold or u for s, u in rows),
        }
        faces = [calibrated(f, cal) for p in photos for f in p.faces if f.age == group]
        out[f"{group} faces"] = {
            "n": len(faces),
            "fired": sum(s >= cal.minor_threshold for s in faces),
            "fired_or_uncertain": sum(s >= cal.review_threshold for s in faces),
        }
    before = [max((f.p_minor for f in p.faces), default=0.0) for p in photos if p.group == "adult"]
    kids = [max((f.p_minor for f in p.faces), default=0.0) for p in photos if p.group == "child"]
    out["before: raw P(under 18) >= 0.3"] = {
        "adult photos fired": sum(s >= 0.3 for s in before),
        "child photos fired": sum(s >= 0.3 for s in kids),
    }
    return out


def rounded(p: Platt) -> Platt:
    return Platt(round(p.a, 5), round(p.b, 5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=Path, default=default_dir())
    parser.add_argument("--version", default="3")
    parser.add_argument("--errors", action="store_true", help="also write var/age_faces.json")
    args = parser.parse_args()
    photos = read_photos(args.people)
    if args.errors:
        (ROOT / "var").mkdir(exist_ok=True)
        dump = [
            {
                "name": p.name,
                "group": p.group,
                "unread": p.unread,
                "faces": [vars(f) for f in p.faces],
            }
            for p in photos
        ]
        (ROOT / "var" / "age_faces.json").write_text(json.dumps(dump, indent=1), encoding="utf-8")
    labelled = [f for p in photos for f in p.faces if f.age is not None]
    sizes = [f.size for f in labelled]
    minor, minor_bands = banded_platt(
        [f.p_minor for f in labelled], sizes, [f.age != "adult" for f in labelled]
    )
    child, child_bands = banded_platt(
        [f.p_child for f in labelled], sizes, [f.age == "child" for f in labelled]
    )
    bands = tuple(
        SizeBand(top, rounded(c), rounded(m))
        for top, c, m in zip(SIZE_BANDS, child_bands, minor_bands, strict=True)
    )
    child, minor = rounded(child), rounded(minor)
    probe = AgeCalibration(args.version, child, minor, 1.0, 0.0, "", bands)
    threshold, review = choose(photos, probe)
    digest = hashlib.sha256(MANIFEST.read_bytes()).hexdigest()[:16]
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    fitted_on = (
        f"people development set (data/people/manifest.csv, sha256 {digest}…): "
        f"{len(photos)} photos, {len(labelled)} labelled faces found by {face_models().id}; "
        f"fitted {datetime.now(UTC):%Y-%m-%d} at commit {commit or 'unknown'}"
    )
    cal = AgeCalibration(args.version, child, minor, threshold, review, fitted_on, bands)
    data = {
        "version": cal.version,
        "fitted_on": fitted_on,
        "child": {"a": child.a, "b": child.b},
        "minor": {"a": minor.a, "b": minor.b},
        "bands": [
            {
                "below_px": b.below_px,
                "child": {"a": b.child.a, "b": b.child.b},
                "minor": {"a": b.minor.a, "b": b.minor.b},
                "n": sum(band_of(f.size) == i for f in labelled),
                "n_minor": sum(band_of(f.size) == i and f.age != "adult" for f in labelled),
                "n_child": sum(band_of(f.size) == i and f.age == "child" for f in labelled),
            }
            for i, b in enumerate(bands)
        ],
        "provenance": {
            "set": f"data/people/manifest.csv sha256 {digest}… ({len(photos)} photos)",
            "date": f"{datetime.now(UTC):%Y-%m-%d}",
            "commit": commit or "unknown",
            "labelled_faces": len(labelled),
            "augmentation": "4 chips + mirrors, log-odds mean (vision.age_model.VARIANTS)",
        },
        "thresholds": {"minor": round(threshold, 4), "review": round(review, 4)},
        "targets": {"max_adult_rate": MAX_ADULT_RATE, "min_child_flagged": MIN_CHILD_FLAGGED},
        "figures": figures(photos, cal),
    }
    path = MODELS / f"age_calibration-{args.version}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=2, ensure_ascii=False))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
