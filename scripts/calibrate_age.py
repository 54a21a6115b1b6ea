"""Fit the age calibration and choose the age thresholds on the people development set.

Reads ``data/people/manifest.csv`` (one row per photo, labelled by eye; the images
are kept outside the repository, under ``../shared/data/people/``), runs the same
face finder and age network as the detector, and writes
``src/consentgate/detectors/models/age_calibration-<version>.json``.

Labels: a photo is *adult-only*, *with a child* (someone under 13 visible) or *with a
teen* (13 to 17, no child). Faces are labelled through their photo: every face of an
adult-only photo is an adult, every face of a photo with only children or teens is a
minor; faces of mixed photos are left out of the fit (we do not know which is which)
and kept for the photo figures.

Fit: one Platt scaling per quantity (P(under 18) on adult vs minor faces, P(under
13) on adult vs child faces), by logistic regression on the logit of the raw mass.

Thresholds, on calibrated P(under 18), per photo (a photo's score is its highest
face; a face too small to read or past the cap counts as uncertain):

* the confident-minor threshold is the lowest value at which at most
  ``MAX_ADULT_RATE`` of adult-only photos would fire (never under ``MIN_MINOR``);
* the review threshold is the highest value at which at least ``MIN_CHILD_FLAGGED``
  of photos with a child would be flagged (fired or uncertain).

These are development figures: the set's errors were read while choosing them.

Run: .venv/bin/python scripts/calibrate_age.py [--people ../shared/data/people] [--version 2]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from consentgate.detectors.age import frame_ages, readable
from consentgate.detectors.vision.age_calibration import AgeCalibration, Platt
from consentgate.detectors.vision.face_finder import face_finder
from consentgate.images.intake import decode_image
from consentgate.images.limits import ImageLimits

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "data" / "people" / "manifest.csv"
MODELS = ROOT / "src" / "consentgate" / "detectors" / "models"
MAX_ADULT_RATE = 0.02
MIN_CHILD_FLAGGED = 0.90
MIN_MINOR = 0.5  # a confident minor is never below even odds
EPS = 1e-6


@dataclass(frozen=True)
class Photo:
    name: str
    group: str  # "adult", "teen" or "child": the youngest person visible
    mixed: bool  # people of more than one group
    raw: list[tuple[float, float]]  # (P<18, P<13) per read face
    unread: int  # faces too small or past the cap


def group_of(row: dict[str, str]) -> tuple[str, bool]:
    """The youngest group in a manifest row, and whether it mixes groups.

    Accepts count columns (``children``, ``teens``, ``adults``) or one label column
    (``label``/``group``/``ages``) holding words such as ``adult``, ``teen``, ``child``.
    """
    counts = {
        g: row.get(k, "")
        for g, k in (("child", "children"), ("teen", "teens"), ("adult", "adults"))
    }
    if any(v.strip() for v in counts.values()):
        present = [g for g, v in counts.items() if v.strip() not in ("", "0")]
    else:
        text = " ".join(row.get(k, "") for k in ("label", "group", "ages")).lower()
        present = [g for g in ("child", "teen", "adult") if g in text]
    if not present:
        raise ValueError(f"no age group in manifest row {row}")
    return present[0], len(present) > 1


def read_photos(manifest: Path, images: Path) -> list[Photo]:
    photos: list[Photo] = []
    with manifest.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row.get("file") or row.get("image") or row["path"]
            group, mixed = group_of(row)
            image = decode_image((images / name).read_bytes(), ImageLimits())
            raw: list[tuple[float, float]] = []
            unread = 0
            for frame, estimates in zip(face_finder().faces(image), frame_ages(image), strict=True):
                unread += len(frame.faces) - len(readable(frame.faces))
                raw += [(e.p_minor, e.p_child) for e in estimates.values()]
            photos.append(Photo(name, group, mixed, raw, unread))
    return photos


def platt(scores: list[float], labels: list[bool]) -> Platt:
    if len(set(labels)) < 2:
        return Platt(1.0, 0.0)
    x = np.array([[math.log(max(s, EPS) / max(1 - s, EPS))] for s in scores])
    fit = LogisticRegression(C=1.0).fit(x, np.array(labels))
    return Platt(float(fit.coef_[0][0]), float(fit.intercept_[0]))


def photo_score(photo: Photo, cal: AgeCalibration) -> tuple[float, bool]:
    """Highest calibrated P(under 18) of the read faces, and whether any face is unread."""
    scores = [cal.minor(p) for p, _ in photo.raw]
    return max(scores, default=0.0), photo.unread > 0


def choose(photos: list[Photo], cal: AgeCalibration) -> tuple[float, float]:
    adults = [photo_score(p, cal)[0] for p in photos if p.group == "adult" and p.raw]
    allowed = math.floor(MAX_ADULT_RATE * len(adults))
    ranked = sorted(adults, reverse=True)
    minor = max(MIN_MINOR, ranked[allowed] + 1e-4 if allowed < len(ranked) else MIN_MINOR)
    children = [photo_score(p, cal) for p in photos if p.group == "child"]
    candidates = sorted({round(s, 4) for s, _ in children if s < minor} | {0.0}, reverse=True)
    review = 0.0
    for r in candidates:
        flagged = sum(1 for s, unread in children if s >= r or unread)
        if flagged >= MIN_CHILD_FLAGGED * len(children):
            review = r
            break
    return min(1.0, minor), review


def figures(photos: list[Photo], cal: AgeCalibration) -> dict[str, object]:
    out: dict[str, object] = {}
    for group in ("adult", "teen", "child"):
        rows = [photo_score(p, cal) for p in photos if p.group == group]
        fired = sum(1 for s, _ in rows if s >= cal.minor_threshold)
        flagged = sum(1 for s, u in rows if s >= cal.review_threshold or u)
        out[group] = {"photos": len(rows), "fired": fired, "fired_or_uncertain": flagged}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--people", type=Path, default=ROOT.parent / "shared" / "data" / "people")
    parser.add_argument("--version", default="2")
    args = parser.parse_args()
    photos = read_photos(args.manifest, args.people)
    pure = [p for p in photos if not p.mixed]
    minor_faces = [(s, p.group != "adult") for p in pure for s, _ in p.raw]
    child_faces = [(c, p.group == "child") for p in pure if p.group != "teen" for _, c in p.raw]
    cal = AgeCalibration(
        args.version,
        platt([c for c, _ in child_faces], [y for _, y in child_faces]),
        platt([s for s, _ in minor_faces], [y for _, y in minor_faces]),
        1.0,
        0.0,
        "",
    )
    minor, review = choose(photos, cal)
    digest = hashlib.sha256(args.manifest.read_bytes()).hexdigest()[:16]
    fitted_on = (
        f"people development set, manifest sha256 {digest}: {len(photos)} photos, "
        f"{len(minor_faces)} faces fitted for P(under 18), {len(child_faces)} for P(under 13)"
    )
    cal = AgeCalibration(args.version, cal.child, cal.minor, minor, review, fitted_on)
    data = {
        "version": cal.version,
        "fitted_on": fitted_on,
        "child": {"a": round(cal.child.a, 5), "b": round(cal.child.b, 5)},
        "minor": {"a": round(cal.minor.a, 5), "b": round(cal.minor.b, 5)},
        "thresholds": {"minor": round(minor, 4), "review": round(review, 4)},
        "targets": {"max_adult_rate": MAX_ADULT_RATE, "min_child_flagged": MIN_CHILD_FLAGGED},
        "figures": figures(photos, cal),
    }
    path = MODELS / f"age_calibration-{args.version}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
