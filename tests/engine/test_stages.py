"""Detectors that run second (faces, age): skipped where they cannot change the decision,
started early where they can, and the decision always the same as with every detector."""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Iterator, Sequence

import pytest
from PIL import Image

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import (
    DetectorFailureKind,
    Label,
    Mode,
    ScreenRequest,
    Signal,
    Subject,
    Target,
    Verdict,
)
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, KeywordFake

IMAGES = frozenset({Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE})
WORDS = {"undress": Label.SEXUALISING_EDIT, "naked": Label.SEXUAL_EXPLICIT}


def png(colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, format="PNG")
    return out.getvalue()


NUDE_PIXELS = png((255, 0, 0))  # what the fake nudity model "finds" nudity in


class ImageFake(Detector):
    """Emits ``label`` (person 0) on every image whose bytes are ``NUDE_PIXELS``, or always."""

    version = "0-test"
    targets = IMAGES

    def __init__(self, name: str, label: str, *, always: bool = False, second: bool = False):
        self.name = name  # type: ignore[misc]
        self.provides = frozenset({label})  # type: ignore[misc]
        self.runs_second = second  # type: ignore[misc]
        self.label, self.always = label, always
        self.calls = 0
        self.started = threading.Event()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        self.calls += 1
        self.started.set()
        found = []
        for target in sorted(self.reads(inp)):
            image = inp.image(target)
            assert image is not None
            if self.always or image.md5 == NUDE_MD5:
                found.append(self.signal(self.label, target, 0.9, 0.5))
        return found


NUDE_MD5 = __import__("hashlib").md5(NUDE_PIXELS).hexdigest()


def engine(*, all_signals: bool = False, timeout: float = 5.0) -> ScreeningEngine:
    detectors = [
        CoversAllFake(),
        KeywordFake("words", WORDS),
        ImageFake("nudity_fake", Label.NUDITY),
        ImageFake("faces_fake", Label.REAL_PERSON, always=True, second=True),
        ImageFake("age_fake", Label.POSSIBLE_MINOR, always=True, second=True),
    ]
    settings = Settings(all_signals=all_signals, detector_timeout_s=timeout)
    return ScreeningEngine(DetectorRegistry(detectors), load_policy(), settings=settings)


def second_stage_calls(eng: ScreeningEngine) -> int:
    faces = eng.registry.get("faces_fake")
    assert isinstance(faces, ImageFake)
    return faces.calls


@pytest.mark.parametrize(
    ("request_", "runs"),
    [
        (ScreenRequest(mode=Mode.EDIT, prompt="make it sunnier", source_image=png()), False),
        (ScreenRequest(mode=Mode.UPLOAD, source_image=png()), False),
        (ScreenRequest(mode=Mode.EDIT, prompt="undress her", source_image=png()), True),
        (ScreenRequest(mode=Mode.UPLOAD, source_image=NUDE_PIXELS), True),
        (
            ScreenRequest(
                mode=Mode.EDIT, prompt="warmer", source_image=png(), output_image=NUDE_PIXELS
            ),
            True,
        ),
        (ScreenRequest(mode=Mode.GENERATE, prompt="a cat"), False),  # no image: nothing to read
    ],
)
def test_when_the_first_stage_leaves_the_decision_open_then_faces_and_age_run(
    request_: ScreenRequest, runs: bool
) -> None:
    eng = engine()
    try:
        decision = eng.screen(request_)
        assert (second_stage_calls(eng) == 1) is runs
        timed = {t.detector for t in decision.timings}
        assert ({"faces_fake", "age_fake"} <= timed) is runs
        assert not [f for f in decision.failures if f.kind is DetectorFailureKind.MISSING]
    finally:
        eng.close()


@pytest.fixture(scope="module")
def engines() -> Iterator[tuple[ScreeningEngine, ScreeningEngine]]:
    """The same detectors twice: faces and age skipped where they cannot matter, and not."""
    lean, every = engine(), engine(all_signals=True)
    yield lean, every
    lean.close()
    every.close()


PROMPTS = ["make it sunnier", "undress her", "naked", ""]
IMAGES_GIVEN = [None, png(), NUDE_PIXELS]


@pytest.mark.parametrize(
    ("mode", "prompt", "source", "output", "subject"),
    [
        (mode, prompt, source, output, subject)
        for mode, prompt, source, output, subject in itertools.product(
            list(Mode), PROMPTS, IMAGES_GIVEN, IMAGES_GIVEN, [None, Subject.MINOR]
        )
        if prompt or source or output
    ],
)
def test_when_faces_and_age_are_skipped_then_the_decision_is_the_one_every_detector_gives(
    engines: tuple[ScreeningEngine, ScreeningEngine],
    mode: Mode,
    prompt: str,
    source: bytes | None,
    output: bytes | None,
    subject: Subject | None,
) -> None:
    request = ScreenRequest(
        mode=mode,
        prompt=prompt or None,
        source_image=source,
        output_image=output,
        subject=subject,
    )
    lean, every = engines
    before = second_stage_calls(every)
    a, b = lean.screen(request), every.screen(request)
    assert (a.decision, a.escalate, a.reasons, a.failures) == (
        b.decision,
        b.escalate,
        b.reasons,
        b.failures,
    )
    assert second_stage_calls(every) - before == (1 if source or output else 0)


class GatedNudity(ImageFake):
    """A slow first-stage image model: it finishes only once the face model has started
    (or after 3 s), so a face model started after the first stage shows as a late start."""

    def __init__(self, faces: ImageFake) -> None:
        super().__init__("slow_nudity", Label.NUDITY)
        self.faces = faces
        self.saw_faces_running = False

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        self.saw_faces_running = self.faces.started.wait(3)
        return super().detect(inp)


def test_when_the_prompt_alone_makes_faces_matter_then_they_start_beside_the_image_models() -> None:
    faces = ImageFake("faces_fake", Label.REAL_PERSON, always=True, second=True)
    slow = GatedNudity(faces)
    registry = DetectorRegistry([CoversAllFake(), KeywordFake("words", WORDS), slow, faces])
    eng = ScreeningEngine(registry, load_policy(), settings=Settings(detector_timeout_s=10))
    try:
        decision = eng.screen(
            ScreenRequest(mode=Mode.EDIT, prompt="undress her", source_image=png())
        )
    finally:
        eng.close()
    assert slow.saw_faces_running  # started on the prompt's signal, not after the image model
    assert decision.decision is Verdict.BLOCK


class HangingFaces(ImageFake):
    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        threading.Event().wait(3)
        return []


def test_when_a_second_stage_detector_overruns_the_budget_then_it_is_a_timeout_and_review() -> None:
    registry = DetectorRegistry(
        [
            CoversAllFake(),
            KeywordFake("words", WORDS),
            HangingFaces("faces_fake", Label.REAL_PERSON, second=True),
        ]
    )
    eng = ScreeningEngine(registry, load_policy(), settings=Settings(detector_timeout_s=0.3))
    try:
        request = ScreenRequest(mode=Mode.EDIT, prompt="undress her", source_image=png())
        decision = eng.screen(request)
    finally:
        eng.close()
    assert [(f.detector, f.kind) for f in decision.failures] == [
        ("faces_fake", DetectorFailureKind.TIMEOUT)
    ]
    assert "R9" in [r.rule for r in decision.reasons]
