"""Age detector: could a face be a child's? Read per face, banded, per person.

For every face the face finder reports, the age network's 81-class output
gives P(under 13) and P(under 18), read from four crops of the face and their
mirrors averaged in log-odds (``vision.age_model.VARIANTS``) and calibrated per
face-size band on the people development set (``vision.age_calibration``; the
constants and thresholds live in ``models/age_calibration-<version>.json``).
``possible_minor`` is scored by the calibrated P(under 18) and banded by two
thresholds chosen there:

- at or above ``minor_threshold``: a confident minor (the signal fires; with
  a sexual or revealing signal of the same person, R1 blocks and escalates);
- from ``review_threshold`` up: an uncertain age (R11 sends it to review
  beside a sexual signal of the same person or a sexual prompt);
- below: read as an adult.

How the thresholds were chosen (``scripts/calibrate_age.py``): on the
development set's photos, the confident-minor threshold is the lowest that
fires on at most 2 % of adult-only photos; the review threshold is the highest
that still flags (fires or leaves uncertain) at least 90 % of photos with a
visible child, each rounded outwards to a multiple of 0.05. The figures they
were chosen on are in the calibration file; for version 4 (development figures,
173 photos): confident minor at 0.5 fires on 2 of 137 adult-only photos and 21
of 23 photos with a child; the review band from 0.35 flags all 23 (and 8
adult-only photos); teens: 5 of 9 photos fired, 7 flagged.

Each band with faces becomes one signal whose evidence names every face in it
(box, ``person`` = the face's index in the face finder's order for the frame,
the estimated age, P(under 13) and P(under 18)), so that the policy can pair a
minor with a sexual signal of the same person and not with a clothed adult
beside them. Each face's evidence also carries its own score and whether the
face is readable (``vision.readability``): the default policy escalates (R1)
only on a readable face with a confident score. A face too small to read
(under ``MIN_FACE_PX``), and every face past the first ``MAX_FACES`` of a
frame (largest first; the network costs about 15 ms a face for its eight chips), is scored at the
review threshold: uncertain, never a confident minor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.faces import IMAGE_TARGETS
from consentgate.detectors.vision.age_calibration import AgeCalibration
from consentgate.detectors.vision.age_model import AGE_MODEL, AgeEstimate, AgeModel
from consentgate.detectors.vision.face_finder import face_finder, face_models_missing
from consentgate.detectors.vision.geometry import to_box
from consentgate.detectors.vision.loader import shared
from consentgate.detectors.vision.readability import assess
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Label, ModelRef, Signal, Target

MIN_FACE_PX = 24  # working-copy pixels; smaller faces give the network nothing to read
MAX_FACES = 30  # faces read per frame, largest first; the rest are uncertain

Reading = tuple[float, Evidence]


class SizedFace(Protocol):
    @property
    def size(self) -> float: ...


def age_model() -> AgeModel:
    return shared("age", lambda: AgeModel(AGE_MODEL.read()))


class AgeDetector(Detector):
    name: ClassVar[str] = "age"
    version: ClassVar[str] = "3.0"
    targets: ClassVar[frozenset[Target]] = frozenset(IMAGE_TARGETS)
    provides: ClassVar[frozenset[str]] = frozenset({Label.POSSIBLE_MINOR})
    runs_second: ClassVar[bool] = True  # counts only beside a sexual prompt or nudity
    description: ClassVar[str] = (
        "Possible minor per face: dlib age network (ONNX), calibrated P(under 13/18), review band"
    )

    def __init__(self, calibration: AgeCalibration | None = None) -> None:
        self.calibration = calibration or AgeCalibration.load()

    @property
    def model(self) -> ModelRef:
        ref = AGE_MODEL.ref
        return ModelRef(
            id=f"{ref.id} + age_calibration-{self.calibration.version}", revision=ref.revision
        )

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return AGE_MODEL.missing_reason() or face_models_missing()

    def warm_up(self) -> None:
        face_finder()
        age_model()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        cal = self.calibration
        signals: list[Signal] = []
        for target in IMAGE_TARGETS:
            image = inp.image(target)
            if image is None:
                continue
            readings = self._faces(image)
            bands = (
                [r for r in readings if r[0] >= cal.minor_threshold],
                [r for r in readings if cal.review_threshold <= r[0] < cal.minor_threshold],
                [r for r in readings if r[0] < cal.review_threshold],
            )
            for band in bands:
                if band:
                    score = max(s for s, _ in band)
                    evidence = (e for _, e in band)
                    signals.append(
                        self.signal(
                            Label.POSSIBLE_MINOR,
                            target,
                            score,
                            cal.minor_threshold,
                            *evidence,
                            review_threshold=cal.review_threshold,
                        )
                    )
        return signals

    def _faces(self, image: DecodedImage) -> list[Reading]:
        cal = self.calibration
        found: list[Reading] = []
        for frame, estimates in zip(face_finder().faces(image), frame_ages(image), strict=True):
            frame_no = image.frame_index(frame.position) if image.frame_count > 1 else None
            for person, face in enumerate(frame.faces):
                box = to_box(image, face.box)
                est = estimates.get(person)
                if est is None:
                    why = "too small to read" if face.size < MIN_FACE_PX else "past the face cap"
                    note = f"face {person}: {why} ({face.size:.0f} px); age uncertain"
                    score = cal.review_threshold
                else:
                    age = cal.calibrate(est, face.size)
                    score = age.p_minor
                    note = (
                        f"face {person}: estimated age {age.years:.0f}, "
                        f"P(under 13) = {age.p_child:.2f}, P(under 18) = {age.p_minor:.2f}"
                    )
                legible = assess(image.frames[frame.position], face)
                evidence = Evidence(
                    box=box,
                    frame=frame_no,
                    person=person,
                    score=score,
                    readable=est is not None and legible.readable,
                    note=f"{note}; {legible.note}",
                )
                found.append((score, evidence))
        return found


def readable(faces: Sequence[SizedFace]) -> list[int]:
    """Indices of the faces the network reads: large enough, the largest ``MAX_FACES``."""
    sizes = [(f.size, i) for i, f in enumerate(faces)]
    ok = sorted(((s, i) for s, i in sizes if s >= MIN_FACE_PX), key=lambda t: (-t[0], t[1]))
    return sorted(i for _, i in ok[:MAX_FACES])


def frame_ages(image: DecodedImage) -> tuple[dict[int, AgeEstimate], ...]:
    """Raw age estimates of the readable faces (by face index), per frame, memoised."""

    def estimate() -> tuple[dict[int, AgeEstimate], ...]:
        model = age_model()
        out: list[dict[int, AgeEstimate]] = []
        for frame in face_finder().faces(image):
            chosen = readable(frame.faces)
            faces = [frame.faces[i] for i in chosen]
            estimates = model.estimate(image.frames[frame.position], faces)
            out.append(dict(zip(chosen, estimates, strict=True)))
        return tuple(out)

    return image.memo.get("age", estimate)
