"""Group-photo regressions through the engine: the real age and nudity detectors on a
drawn image, with fake face, age and body-part models, and the default policy.

The two faults of the issue: a young face and a covered torso on different people
escalated as child sexual abuse (R1), and an evening dress counted as revealing. The
harmful side is simulated with made-up detections; the image is drawn shapes.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from consentgate.detectors import age as age_module
from consentgate.detectors import nudity as nudity_module
from consentgate.detectors.age import AgeDetector
from consentgate.detectors.nudity import NudityDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.detectors.vision.age_calibration import AgeCalibration, Platt
from consentgate.detectors.vision.age_model import AgeEstimate
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.face_finder import FrameFaces
from consentgate.detectors.vision.nudenet import Part
from consentgate.engine import ScreeningEngine
from consentgate.images.decoded import DecodedImage
from consentgate.policy.loader import load_policy
from consentgate.records import Decision, Label, Mode, ScreenRequest, Verdict
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, FixedFake

CALIBRATION = AgeCalibration("test", Platt(1.0, 0.0), Platt(1.0, 0.0), 0.6, 0.2, "tests")
CHILD_FACE = (100.0, 60.0, 140.0, 110.0)  # person 0: its body is x 0..240, below y 60
ADULT_FACE = (400.0, 40.0, 450.0, 100.0)  # person 1: its body is x 300..550
CHILD_CHEST, CHILD_BELLY = (100.0, 150.0, 140.0, 180.0), (100.0, 200.0, 140.0, 230.0)
ADULT_CHEST, ADULT_BELLY = (400.0, 140.0, 450.0, 180.0), (400.0, 200.0, 450.0, 240.0)


def drawn() -> DecodedImage:
    """Two stick figures: circles for heads, rectangles for bodies."""
    canvas = Image.new("RGB", (600, 400), "white")
    pen = ImageDraw.Draw(canvas)
    for face, body in ((CHILD_FACE, (95, 115, 145, 300)), (ADULT_FACE, (395, 105, 455, 380))):
        pen.ellipse(face, outline="black", width=3)
        pen.rectangle(body, outline="black", width=3)
    frame = np.asarray(canvas, dtype=np.uint8)
    return DecodedImage("PNG", 600, 400, (frame,), 1.0, "m", "s")


def frontal(box: tuple[float, float, float, float]) -> RawFace:
    """A face looking at the camera: eyes level, nose and mouth on the centre line."""
    x0, y0, x1, y1 = box
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    eyes = ((cx - w / 4, y0 + h / 3), (cx + w / 4, y0 + h / 3))
    points = (*eyes, (cx, y0 + h / 2), (cx, y0 + 3 * h / 4))
    return RawFace(box, 0.9, points)


class FakeFaces:
    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        return (FrameFaces(0, tuple(frontal(b) for b in (CHILD_FACE, ADULT_FACE))),)


class FakeAges:
    def __init__(self, child_p: float) -> None:
        self.child_p = child_p

    def estimate(self, frame: np.ndarray, faces: list[RawFace]) -> list[AgeEstimate]:  # type: ignore[type-arg]
        ps = [self.child_p if f.box == CHILD_FACE else 0.01 for f in faces]
        return [AgeEstimate(10.0 if p > 0.5 else 35.0, p, p) for p in ps]


class FakeParts:
    def __init__(self, parts: list[Part]) -> None:
        self._parts = parts

    def parts(self, frame: np.ndarray, position: int = 0) -> list[Part]:  # type: ignore[type-arg]
        return self._parts


def screen(
    monkeypatch: pytest.MonkeyPatch,
    child_p: float,
    parts: list[tuple[str, tuple[float, float, float, float]]],
    prompt_signals: list[str] = (),  # type: ignore[assignment]
) -> Decision:
    monkeypatch.setattr(age_module, "face_finder", FakeFaces)
    monkeypatch.setattr(age_module, "age_model", lambda: FakeAges(child_p))
    monkeypatch.setattr(nudity_module, "face_finder", FakeFaces)
    monkeypatch.setattr(nudity_module, "face_models_missing", lambda: None)
    found = [Part(name, 0.8, box) for name, box in parts]
    monkeypatch.setattr(nudity_module, "nudenet_model", lambda: FakeParts(found))
    detectors = [AgeDetector(CALIBRATION), NudityDetector(), CoversAllFake()]
    if prompt_signals:
        detectors.append(FixedFake("prompt", [(s, "prompt") for s in prompt_signals]))
    engine = ScreeningEngine(
        DetectorRegistry(detectors),
        load_policy(),
        settings=Settings(),
        decoder=lambda d, s: drawn(),
    )
    request = ScreenRequest(mode=Mode.UPLOAD, source_image=b"drawn")
    if prompt_signals:
        request = ScreenRequest(mode=Mode.EDIT, prompt="make it warmer", source_image=b"drawn")
    return engine.screen(request)


DRESS = ("FEMALE_BREAST_COVERED", ADULT_CHEST)
BIKINI_ADULT = [DRESS, ("BELLY_EXPOSED", ADULT_BELLY)]
BIKINI_CHILD = [("FEMALE_BREAST_COVERED", CHILD_CHEST), ("BELLY_EXPOSED", CHILD_BELLY)]

CASES = [
    ("young face, adult in an evening dress", 0.9, [DRESS], [], Verdict.ALLOW, set(), False),
    ("young face, adult in swimwear", 0.9, BIKINI_ADULT, [], Verdict.ALLOW, set(), False),
    (
        "young face, nudity on the adult",
        0.9,
        [("FEMALE_BREAST_EXPOSED", ADULT_CHEST)],
        [],
        Verdict.BLOCK,
        {"R6"},
        False,
    ),
    ("confident minor in swimwear", 0.9, BIKINI_CHILD, [], Verdict.BLOCK, {"R1"}, True),
    (
        "confident minor, exposed part on the same person",
        0.9,
        [("BUTTOCKS_EXPOSED", CHILD_BELLY)],
        [],
        Verdict.BLOCK,
        {"R1"},
        True,
    ),
    ("uncertain age in swimwear", 0.4, BIKINI_CHILD, [], Verdict.REVIEW, {"R11"}, False),
    ("uncertain age, adult in swimwear", 0.4, BIKINI_ADULT, [], Verdict.ALLOW, set(), False),
    ("adult-looking face in swimwear", 0.05, BIKINI_CHILD, [], Verdict.ALLOW, set(), False),
    (
        "uncertain age, sexualising prompt",
        0.4,
        [],
        [Label.SEXUALISING_EDIT],
        Verdict.BLOCK,  # R3 blocks the edit; R11 asks a person whether it is a child
        {"R3", "R11"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "child_p", "parts", "prompt", "verdict", "rules", "escalate"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_when_group_photo_then_minor_and_revealing_pair_only_on_the_same_person(
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    child_p: float,
    parts: list[tuple[str, tuple[float, float, float, float]]],
    prompt: list[str],
    verdict: Verdict,
    rules: set[str],
    escalate: bool,
) -> None:
    decision = screen(monkeypatch, child_p, parts, prompt)
    fired = {r.rule for r in decision.reasons}
    assert decision.escalate is escalate
    assert rules <= fired
    assert decision.decision == verdict
    if not escalate:
        assert "R1" not in fired


def test_when_decided_then_each_age_and_part_signal_names_its_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decision = screen(monkeypatch, 0.9, BIKINI_ADULT)
    persons = {(s.label, e.person, e.term) for s in decision.signals for e in s.evidence if e.box}
    assert (Label.POSSIBLE_MINOR, 0, None) in persons
    assert (Label.POSSIBLE_MINOR, 1, None) in persons
    assert (Label.BODY_REVEALING, 1, "FEMALE_BREAST_COVERED") in persons
