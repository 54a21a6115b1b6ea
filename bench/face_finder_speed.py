"""Today's face finder (YuNet) against the previous one (BlazeFace), in one run.

Also YuNet with its quicker first look at 320 px (``QUICK_FIRST_SIDE``), which
is measured here but not the default (see ``face_finder``).

Whole one-core edit screens (1024 px astronaut source + "sunnier" output, all
four image detectors, bytes never seen before) alternate between the two
finders round by round, so both see the same machine load; then each finder
alone on one working copy and on a drawn crowd (40 heads of about 11 px in the
working copy), with the faces it found. Figures: median CPU time of the
process (and wall-clock p50). Then, when the people development set has been
fetched (scripts/people_set.py), each finder's faces on it matched to the
labelled boxes, by the number of labelled faces in the photo, and how well the
age model separates minors from adults on each finder's landmarks.

    .venv/bin/python bench/face_finder_speed.py              # about a minute
    .venv/bin/python bench/face_finder_speed.py --rounds 40
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from consentgate.detectors.age import age_model
from consentgate.detectors.vision import loader
from consentgate.detectors.vision.blazeface_finder import blazeface_finder
from consentgate.detectors.vision.boxes import iou
from consentgate.detectors.vision.face_finder import QUICK_FIRST_SIDE, FaceFinder, face_finder
from consentgate.images.intake import decode_image
from image_speed import build_engine, drawn_crowd, edit_pair, pin, request, unseen

SHARED_KEY = "yunet"  # where face_finder() keeps today's finder
Box = tuple[float, float, float, float]


def cpu_and_wall(fn: Callable[[], object]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.process_time() - c0) * 1000, (time.perf_counter() - t0) * 1000


def line(name: str, runs: list[tuple[float, float]], extra: str = "") -> None:
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    print(f"  {name:<44} cpu p50 {cpu:7.1f} ms   wall p50 {wall:7.1f} ms  {extra}")


def matched(found: list[Box], labelled: list[Box]) -> tuple[int, int]:
    """Labelled faces found (a box overlapping it by IoU >= 0.2, or centred in it and
    not 2.5 times wider), and found boxes that matched none."""
    used: set[int] = set()
    for face in labelled:
        target = np.array(face, dtype=np.float32)
        for i, box in enumerate(found):
            centred = (
                face[0] <= (box[0] + box[2]) / 2 <= face[2]
                and face[1] <= (box[1] + box[3]) / 2 <= face[3]
            )
            wide = box[2] - box[0] > 2.5 * (face[2] - face[0])
            overlap = iou(target, np.array([box], dtype=np.float32))[0] >= 0.2
            if i not in used and (overlap or (centred and not wide)):
                used.add(i)
                break
    return len(used), len(found) - len(used)


def people_recall(finders: dict[str, Any]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from people_set import default_dir, present, read_manifest

    where = default_dir()
    photos = [p for p in read_manifest() if present(p, where)]
    if not photos:
        print("people development set not fetched: skipped")
        return
    print(f"people development set: {len(photos)} photos, faces found / labelled, false faces")
    for name, finder in finders.items():
        totals: dict[str, list[int]] = {}
        ages: list[tuple[bool, float]] = []  # (labelled minor, raw P(under 18)) per matched face
        for photo in photos:
            image = decode_image((where / photo.local_name).read_bytes())
            k = image.scale
            labelled = [(f.x * k, f.y * k, (f.x + f.w) * k, (f.y + f.h) * k) for f in photo.faces]
            faces = finder.frame_faces(image.frames[0])
            hit, false = matched([f.box for f in faces], labelled)
            n = len(labelled)
            group = "1" if n <= 1 else "2-4" if n <= 4 else "5-10" if n <= 10 else "11+"
            for key in (group, "all"):
                row = totals.setdefault(key, [0, 0, 0])
                row[0], row[1], row[2] = row[0] + hit, row[1] + n, row[2] + false
            ages += minor_scores(image.frames[0], faces, labelled, photo.faces)
        cells = ", ".join(f"{k}: {v[0]}/{v[1]} +{v[2]}" for k, v in sorted(totals.items()))
        print(f"  {name:<22} {cells}")
        auc = roc_auc_score([minor for minor, _ in ages], [p for _, p in ages])
        print(
            f"  {'':<22} age model on its landmarks: AUC of P(under 18), minors vs adults {auc:.4f}"
        )


def minor_scores(
    frame: Any, faces: Sequence[Any], labelled: list[Box], labels: Sequence[Any]
) -> list[tuple[bool, float]]:
    """Raw P(under 18) of the found face best overlapping each labelled one (IoU >= 0.2)."""
    if not faces:
        return []
    estimates = age_model().estimate(frame, list(faces))
    found = np.array([f.box for f in faces], dtype=np.float32)
    out = []
    for box, label in zip(labelled, labels, strict=True):
        overlaps = iou(np.array(box, dtype=np.float32), found)
        best = int(np.argmax(overlaps))
        if overlaps[best] >= 0.2:
            out.append((label.age != "adult", estimates[best].p_minor))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    engine = build_engine()
    today = face_finder()
    quick = FaceFinder(today._yunet, today._checker, QUICK_FIRST_SIDE)
    finders = {
        "today (YuNet)": today,
        "YuNet, 320 px first": quick,
        "previous (BlazeFace)": blazeface_finder(),
    }
    pin({min(os.sched_getaffinity(0))})
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    pair = edit_pair(1024)
    screens: dict[str, list[tuple[float, float]]] = {name: [] for name in finders}
    for _ in range(args.rounds + 1):  # the first round warms up
        for name, finder in finders.items():
            loader._loaded[SHARED_KEY] = finder  # every detector asks face_finder()
            screen = request(unseen(pair[0]), unseen(pair[1]))
            screens[name].append(cpu_and_wall(lambda s=screen: engine.screen(s)))  # type: ignore[misc]
    loader._loaded[SHARED_KEY] = finders["today (YuNet)"]
    print("1024 px edit screen, one core, cold (alternating rounds):")
    for name, runs in screens.items():
        line(name, runs[1:])
    frames = {
        "one photo": decode_image(pair[0]).frames[0],
        "crowd of 40": decode_image(drawn_crowd()).frames[0],
    }
    for label, frame in frames.items():
        print(f"face finding alone, {label}:")
        for name, finder in finders.items():
            found = len(finder.frame_faces(frame))
            runs = [cpu_and_wall(lambda: finder.frame_faces(frame)) for _ in range(args.rounds)]  # noqa: B023
            line(name, runs, f"{found} face(s)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    people_recall(finders)


if __name__ == "__main__":
    main()
