"""The real models, offline, on benign photos (scikit-image samples).

A face where there is one, no face on a cat, a rocket or a cup of coffee, an
adult age for adults, and no nudity or revealing signal on any of them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from functools import cache

import numpy as np
import pytest
from PIL import Image
from skimage import data

from consentgate.detectors.age import AgeDetector
from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.faces import FaceDetector
from consentgate.detectors.nsfw_score import NsfwScoreDetector
from consentgate.detectors.nudity import NudityDetector
from consentgate.engine import ScreeningEngine
from consentgate.images.intake import decode_image
from consentgate.records import Label, Mode, ScreenRequest, Signal, Target
from consentgate.settings import Settings

pytestmark = pytest.mark.slow

SAMPLES: dict[str, Callable[[], np.ndarray]] = {  # type: ignore[type-arg]
    "astronaut": data.astronaut,
    "camera": data.camera,
    "chelsea": data.chelsea,
    "rocket": data.rocket,
    "coffee": data.coffee,
}
WITH_FACE = {"astronaut", "camera"}


def encoded(array: np.ndarray, fmt: str = "PNG", **params: object) -> bytes:  # type: ignore[type-arg]
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, fmt, **params)
    return buf.getvalue()


@cache
def sample_input(name: str) -> ScreenInput:
    image = decode_image(encoded(SAMPLES[name]()))
    return ScreenInput(ScreenRequest(mode=Mode.UPLOAD), source=image)


def fired(detector: Detector, name: str, label: str) -> list[Signal]:
    return [s for s in detector.detect(sample_input(name)) if s.label == label and s.fired]


@pytest.fixture(scope="module")
def faces() -> FaceDetector:
    detector = FaceDetector()
    detector.warm_up()
    return detector


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_when_benign_sample_then_real_person_only_where_a_face_is(
    faces: FaceDetector, name: str
) -> None:
    found = fired(faces, name, Label.REAL_PERSON)
    assert bool(found) is (name in WITH_FACE)
    if found:
        assert len(found[0].evidence) == 1
        assert found[0].model is not None and "sha256:" in found[0].model.revision


def test_when_astronaut_then_face_box_is_on_her_face(faces: FaceDetector) -> None:
    (signal,) = fired(faces, "astronaut", Label.REAL_PERSON)
    box = signal.evidence[0].box
    assert box is not None
    centre = (box.x + box.width / 2, box.y + box.height / 2)
    assert 195 < centre[0] < 250 and 95 < centre[1] < 150
    assert 70 < box.width < 140


def test_when_image_upscaled_then_box_is_in_original_pixels(faces: FaceDetector) -> None:
    big = np.asarray(Image.fromarray(data.astronaut()).resize((2048, 2048)))
    image = decode_image(encoded(big, "JPEG", quality=90))
    (signal,) = faces.detect(ScreenInput(ScreenRequest(), source=image))
    box = signal.evidence[0].box
    assert box is not None
    assert 4 * 195 < box.x + box.width / 2 < 4 * 250
    assert 4 * 70 < box.width < 4 * 140


def test_when_photo_is_exif_rotated_then_face_found_as_displayed(faces: FaceDetector) -> None:
    turned = Image.fromarray(data.astronaut()).rotate(90, expand=True)  # stored sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # viewers rotate it back upright
    image = decode_image(encoded(np.asarray(turned), "JPEG", exif=exif.tobytes()))
    (signal,) = faces.detect(ScreenInput(ScreenRequest(), source=image))
    box = signal.evidence[0].box
    assert box is not None and 195 < box.x + box.width / 2 < 250


@pytest.mark.parametrize("name", sorted(WITH_FACE))
def test_when_adult_face_then_possible_minor_does_not_fire(name: str) -> None:
    detector = AgeDetector()
    signals = detector.detect(sample_input(name))
    assert signals and not any(s.fired for s in signals)
    assert "estimated age" in (signals[0].evidence[0].note or "")


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("make", [NudityDetector, NsfwScoreDetector])
def test_when_benign_sample_then_no_nudity_or_revealing_signal(
    name: str, make: Callable[[], Detector]
) -> None:
    if make.unavailable_reason() is not None:  # type: ignore[attr-defined]
        pytest.skip("optional model not installed")
    detector = make()
    signals = detector.detect(sample_input(name))
    assert not [s for s in signals if s.fired], signals


def test_when_edit_pair_then_each_image_gets_its_own_target(faces: FaceDetector) -> None:
    source = decode_image(encoded(data.astronaut()))
    output = decode_image(encoded(data.chelsea()))
    signals = faces.detect(ScreenInput(ScreenRequest(), source=source, output=output))
    assert [s.target for s in signals] == [Target.SOURCE_IMAGE]


@pytest.fixture(scope="module")
def lean_and_every() -> Iterator[tuple[ScreeningEngine, ScreeningEngine]]:
    """The default engine twice: faces and age skipped where they cannot change the
    decision (the default), and every detector on every request."""
    lean = ScreeningEngine.build(Settings(detector_timeout_s=60))
    every = ScreeningEngine.build(Settings(detector_timeout_s=60, all_signals=True))
    yield lean, every
    lean.close()
    every.close()


@pytest.mark.parametrize(
    ("mode", "prompt", "source", "output"),
    [
        (Mode.EDIT, "make the colours warmer", "astronaut", None),
        (Mode.EDIT, "remove her clothes", "astronaut", None),
        (Mode.EDIT, "put her in a bikini", "camera", None),
        (Mode.EDIT, "make the colours warmer", "astronaut", "chelsea"),
        (Mode.EDIT, "remove her clothes", "astronaut", "coffee"),
        (Mode.UPLOAD, None, "astronaut", None),
        (Mode.UPLOAD, None, "coffee", None),
        (Mode.GENERATE, "a naked child", None, "astronaut"),
        (Mode.GENERATE, "a lighthouse at dusk", None, "camera"),
    ],
)
def test_when_faces_and_age_are_skipped_then_real_models_decide_as_with_every_detector(
    lean_and_every: tuple[ScreeningEngine, ScreeningEngine],
    mode: Mode,
    prompt: str | None,
    source: str | None,
    output: str | None,
) -> None:
    request = ScreenRequest(
        mode=mode,
        prompt=prompt,
        source_image=encoded(SAMPLES[source]()) if source else None,
        output_image=encoded(SAMPLES[output]()) if output else None,
    )
    lean, every = (engine.screen(request) for engine in lean_and_every)
    assert (lean.decision, lean.escalate, lean.reasons) == (
        every.decision,
        every.escalate,
        every.reasons,
    )
    assert not every.failures and not lean.failures
    skipped = {t.detector for t in every.timings} - {t.detector for t in lean.timings}
    assert skipped <= {"faces", "age"}
    if prompt is None or "warmer" in prompt or "lighthouse" in prompt:
        assert skipped == {"faces", "age"} or (source in (None, "coffee") and output is None)
