"""The real face finder and age network, offline, on scikit-image's astronaut: one adult
face read as an adult, per person, with and without keypoints."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data

from consentgate.detectors.age import AgeDetector, age_model
from consentgate.detectors.base import ScreenInput
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.face_finder import face_finder
from consentgate.images.intake import decode_image
from consentgate.records import ScreenRequest

pytestmark = pytest.mark.slow

if AgeDetector.unavailable_reason() is not None:
    pytest.skip("age or face models not installed", allow_module_level=True)


def screened(array: np.ndarray) -> ScreenInput:  # type: ignore[type-arg]
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return ScreenInput(ScreenRequest(), source=decode_image(buf.getvalue()))


@pytest.mark.parametrize(
    ("case", "array", "persons"),
    [
        ("astronaut", data.astronaut(), {0}),
        ("two astronauts side by side", np.concatenate([data.astronaut()] * 2, axis=1), {0, 1}),
    ],
    ids=["one", "two"],
)
def test_when_adult_faces_then_each_is_read_as_an_adult_with_its_person(
    case: str,
    array: np.ndarray,  # type: ignore[type-arg]
    persons: set[int],
) -> None:
    signals = AgeDetector().detect(screened(array))
    assert signals and not any(s.fired or s.uncertain for s in signals)
    evidence = [e for s in signals for e in s.evidence]
    assert {e.person for e in evidence} == persons
    assert all("P(under 13)" in (e.note or "") for e in evidence)


def test_when_face_has_no_keypoints_then_box_alignment_still_reads_an_adult() -> None:
    image = screened(data.astronaut()).source
    assert image is not None
    (face,) = face_finder().faces(image)[0].faces
    bare = RawFace(face.box, face.score, ())
    keyed, boxed = age_model().estimate(image.frames[0], [face, bare])
    assert keyed.years > 18 and boxed.years > 18
    assert keyed.p_minor < 0.2 and boxed.p_minor < 0.2
