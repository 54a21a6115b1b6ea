"""Which person a body part belongs to: the face whose body region holds it, nearest first.

Why: a child's face and an adult's swimsuit in one group photo are two people.
The child-safety rule (R1) couples a minor signal with a sexual or revealing
one only when both concern the same person, so each body part found by the
nudity model is given to a face (its index in the face finder's order for the
frame) or to nobody.

The rule, in face units (``w``, ``h``: the face box's width and height), for
an upright person: a face's body region reaches ``BODY_SIDE`` face widths left
and right of the face centre, from ``ABOVE`` a face height over the face down
to ``BODY_BELOW`` face heights under it (a standing adult is about 7.5 heads
tall). A part belongs to the face whose region holds its centre and which is
nearest, where distance is measured in that face's own units and a step down
the body counts a third of a step sideways (bodies hang below faces, people
stand side by side). A part in no region (a body without a visible face, a
person lying down) belongs to nobody: ``None``.

Two parts that belong to nobody may still be one person's: ``near`` says so
when the boxes, each grown by half its longer side, overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

BODY_SIDE = 2.5
ABOVE = 0.25
BODY_BELOW = 6.5
DOWN_WEIGHT = 1 / 3
NEAR_GROWTH = 0.5


def centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def body_region(face: Box) -> Box:
    """The area a face's body can occupy, upright: beside and below the face."""
    x0, y0, x1, y1 = face
    w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
    cx = (x0 + x1) / 2
    return cx - BODY_SIDE * w, y0 - ABOVE * h, cx + BODY_SIDE * w, y1 + BODY_BELOW * h


def inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def distance(point: tuple[float, float], face: Box) -> float:
    """How far a point is from a face, in that face's units; below counts a third."""
    cx, cy = centre(face)
    w, h = max(face[2] - face[0], 1e-6), max(face[3] - face[1], 1e-6)
    dy = (point[1] - cy) / h
    return math.hypot((point[0] - cx) / w, dy * DOWN_WEIGHT if dy > 0 else dy)


def owner(part: Box, faces: Sequence[Box]) -> int | None:
    """The index of the face the part belongs to, or None when no face's region holds it."""
    point = centre(part)
    fits = [(distance(point, face), i) for i, face in enumerate(faces)]
    fits = [(d, i) for d, i in fits if inside(point, body_region(faces[i]))]
    return min(fits)[1] if fits else None


def owners(parts: Sequence[Box], faces: Sequence[Box]) -> tuple[int | None, ...]:
    """``owner`` of each part, in order."""
    return tuple(owner(part, faces) for part in parts)


def near(a: Box, b: Box) -> bool:
    """Whether two boxes, each grown by half its longer side, overlap (one body's parts)."""
    ga, gb = _grown(a), _grown(b)
    return ga[0] <= gb[2] and gb[0] <= ga[2] and ga[1] <= gb[3] and gb[1] <= ga[3]


def _grown(box: Box) -> Box:
    pad = NEAR_GROWTH * max(box[2] - box[0], box[3] - box[1])
    return box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
