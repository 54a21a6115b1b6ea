"""Can the age model read this face? Size, sharpness, pose and occlusion, from cheap cues.

Why: an R1 escalation (blocked, escalated, later a report to a hotline) from
pixels says "this is a child". The age model only earns that on a face it can
read: large enough, in focus, turned towards the camera and not hidden behind a
mask or goggles. On anything else its P(under 18) is noise in both directions
(adults in group photos read as minors, a child in ski goggles read as 0.0), so
the policy escalates only on readable faces (``readable: true``) and sends every
weaker sign of a child to a person (R11).

The four checks, all in working-copy pixels (long side at most 512 px), each
with a documented threshold. They were chosen on the people development set's
first 143 photos with people (a coarse grid, together with the policy's confident
score; see ``docs/policy.md``), whose photos are not the failures that asked for
this rule, so they are **provisional**. They were not refitted when the set grew
(``bench/image_people.py`` measures what they give): a face half painted over
still passes all four checks there.

- **Size**: the face's longer side is at least ``MIN_PX`` (32 px). Under it,
  the age chip is upsampled five times and more; at 40 or 48 px, faces of
  adults in ordinary group photos (35 to 47 px) were sent to review.
- **Sharpness**: the variance of the Laplacian of the grey face crop, resampled
  to ``CHIP`` × ``CHIP`` px (so that it does not grow with face size), is at
  least ``MIN_SHARPNESS``. A motion-blurred or out-of-focus face falls under it.
- **Pose** (from YuNet's landmarks: eyes, nose, mouth): the nose's sideways
  offset from the eyes' midpoint, in eye distances, is at most ``MAX_YAW``
  (a three-quarter view still reads; profiles score 0.5 and more), and the
  eyes span at least ``MIN_EYE_SPAN`` of the box's width (a profile brings
  them together). A face with no landmarks has no known pose: not readable.
- **Occlusion**: YuNet's score is at least ``MIN_CLEAR_SCORE``. Unhidden faces
  of 30 px and more score 0.86 to 0.95 (see ``face_finder``); a mask, goggles
  or a hand over the face lowers it (a half-hidden face in the development
  set: 0.68 and 0.78). YuNet gives one score, not one per landmark, so its
  score is the landmark confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentgate.detectors.vision.blazeface import RawFace

MIN_PX = 32.0
CHIP = 64
MIN_SHARPNESS = 20.0
MAX_YAW = 0.45
MIN_EYE_SPAN = 0.25
MIN_CLEAR_SCORE = 0.75


@dataclass(frozen=True, slots=True)
class Readability:
    """Why a face can or cannot be read; ``problems`` is empty when it can."""

    size: float
    sharpness: float
    yaw: float | None  # None: no landmarks
    problems: tuple[str, ...]

    @property
    def readable(self) -> bool:
        return not self.problems

    @property
    def note(self) -> str:
        if self.readable:
            return "readable"
        return "not readable: " + ", ".join(self.problems)


def assess(frame: npt.NDArray[np.uint8], face: RawFace) -> Readability:
    """The four checks of the module docstring on one face of one working frame."""
    sharpness = _sharpness(frame, face.box)
    yaw, span = _pose(face)
    problems: list[str] = []
    if face.size < MIN_PX:
        problems.append(f"too small ({face.size:.0f} px < {MIN_PX:.0f})")
    if sharpness < MIN_SHARPNESS:
        problems.append(f"blurred (sharpness {sharpness:.0f} < {MIN_SHARPNESS:.0f})")
    if yaw is None:
        problems.append("pose unknown (no landmarks)")
    elif yaw > MAX_YAW or span < MIN_EYE_SPAN:
        problems.append(f"turned away (yaw {yaw:.2f}, eye span {span:.2f})")
    if face.score < MIN_CLEAR_SCORE:
        problems.append(f"partly hidden (face score {face.score:.2f} < {MIN_CLEAR_SCORE})")
    return Readability(face.size, sharpness, yaw, tuple(problems))


def _pose(face: RawFace) -> tuple[float | None, float]:
    """(nose offset from the eyes' midpoint in eye distances, eye distance / box width)."""
    if len(face.keypoints) < 3:
        return None, 0.0
    (rx, _), (lx, _), (nx, _) = face.keypoints[:3]
    eyes = abs(lx - rx)
    width = max(face.box[2] - face.box[0], 1e-6)
    if eyes < 1e-6:
        return float("inf"), 0.0
    return abs(nx - (rx + lx) / 2) / eyes, eyes / width


def _sharpness(frame: npt.NDArray[np.uint8], box: tuple[float, float, float, float]) -> float:
    """Variance of the 4-neighbour Laplacian of the grey crop at CHIP × CHIP px."""
    height, width = frame.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(width, round(box[2])), min(height, round(box[3]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return 0.0
    crop = Image.fromarray(frame[y0:y1, x0:x1]).convert("L")
    grey = np.asarray(crop.resize((CHIP, CHIP), Image.Resampling.BILINEAR), dtype=np.float32)
    lap = grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4 * grey[1:-1, 1:-1]
    return float(lap.var())
