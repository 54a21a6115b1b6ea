"""R1 against R11 on drawn photos: escalate only on a readable face with a confident age.

The real face, age and prompt-lexicon detectors and the default policy decide on
drawn images (circles for faces, rectangles for bodies), with fake face, age and
body-part models: each case says where the faces are, how YuNet would score them,
where its landmarks fall and what P(under 18) the age model would give. No photo
of a person exists in these tests, and the harmful side is only ever simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from consentgate.detectors import age as age_module
from consentgate.detectors.age import AgeDetector
from consentgate.detectors.base import ScreenInput
from consentgate.detectors.faces import FaceDetector
from consentgate.detectors.prompt_lexicon import PromptLexiconDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.detectors.vision.age_calibration import AgeCalibration, Platt
from consentgate.detectors.vision.age_model import AgeEstimate
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.face_finder import FrameFaces
from consentgate.detectors.vision.nudenet import Part
from consentgate.engine import ScreeningEngine
from consentgate.images.decoded import DecodedImage
from consentgate.policy.loader import load_policy
from consentgate.records import Decision, Mode, ScreenRequest, Verdict
from consentgate.settings import Settings
from consentgate.text.normalise import normalise
from tests.fakes import CoversAllFake

# The shipped calibration's thresholds (age_calibration-2.json): fires at 0.5, review from 0.4.
CALIBRATION = AgeCalibration("test", Platt(1.0, 0.0), Platt(1.0, 0.0), 0.5, 0.4, "tests")
FaceBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Face:
    """A drawn face and what the fake models say about it."""

    box: FaceBox
    p_minor: float
    score: float = 0.95  # YuNet's score; a mask or goggles lower it
    turned: bool = False  # landmarks of a face in profile
    masked: bool = False  # a mask drawn over its lower half
    blurred: bool = False


@dataclass(frozen=True)
class Scene:
    faces: tuple[Face, ...] = ()
    bodies: tuple[FaceBox, ...] = ()  # people with no face: two covered parts each
    size: tuple[int, int] = (600, 480)


def landmarks(face: Face) -> tuple[tuple[float, float], ...]:
    """YuNet's keypoints as the face finder orders them: eyes, nose, mouth, mouth corners."""
    x0, y0, x1, y1 = face.box
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    if face.turned:  # profile: eyes close together, nose far out to one side
        eyes = ((cx + w * 0.05, y0 + h / 3), (cx + w * 0.12, y0 + h / 3))
        nose, mouth = (x0 + w * 0.05, y0 + h / 2), (cx - w * 0.1, y0 + 3 * h / 4)
    else:
        eyes = ((cx - w / 4, y0 + h / 3), (cx + w / 4, y0 + h / 3))
        nose, mouth = (cx, y0 + h / 2), (cx, y0 + 3 * h / 4)
    corners = ((mouth[0] - w / 8, mouth[1]), (mouth[0] + w / 8, mouth[1]))
    return (*eyes, nose, mouth, *corners)


def draw(scene: Scene) -> DecodedImage:
    """Faces as circles with eyes, nose and mouth; bodies as rectangles; a white page."""
    canvas = Image.new("RGB", scene.size, (235, 225, 210))
    pen = ImageDraw.Draw(canvas)
    for face in scene.faces:
        pen.ellipse(face.box, fill=(220, 180, 150), outline="black", width=3)
        for x, y in landmarks(face)[:3]:
            pen.ellipse((x - 4, y - 4, x + 4, y + 4), fill="black")
        x0, y0, x1, y1 = face.box
        if face.masked:
            pen.rectangle((x0 + 4, (y0 + y1) / 2, x1 - 4, y1 - 6), fill=(90, 140, 200))
        if face.blurred:
            region = tuple(round(v) for v in face.box)
            canvas.paste(canvas.crop(region).filter(ImageFilter.GaussianBlur(12)), region[:2])
    for body in scene.bodies:
        pen.rectangle(body, fill=(60, 90, 150), outline="black", width=3)
    frame = np.asarray(canvas, dtype=np.uint8)
    width, height = scene.size
    return DecodedImage("PNG", width, height, (frame,), 1.0, "m", "s")


class FakeFinder:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        return (
            FrameFaces(0, tuple(RawFace(f.box, f.score, landmarks(f)) for f in self.scene.faces)),
        )


class FakeAges:
    def __init__(self, scene: Scene) -> None:
        self.by_box = {f.box: f.p_minor for f in scene.faces}

    def estimate(self, frame: np.ndarray, faces: list[RawFace]) -> list[AgeEstimate]:  # type: ignore[type-arg]
        ps = [self.by_box[f.box] for f in faces]
        return [AgeEstimate(10.0 if p >= 0.5 else 35.0, p, p / 2) for p in ps]


def body_parts(scene: Scene) -> tuple[Part, ...]:
    """Two covered parts per faceless body (upper and lower half): a person seen from behind."""
    parts: list[Part] = []
    for x0, y0, x1, y1 in scene.bodies:
        middle = (y0 + y1) / 2
        parts.append(Part("FEMALE_BREAST_COVERED", 0.8, (x0, y0, x1, middle)))
        parts.append(Part("BELLY_COVERED", 0.8, (x0, middle, x1, y1)))
    return tuple(parts)


def screen(monkeypatch: pytest.MonkeyPatch, scene: Scene, prompt: str | None) -> Decision:
    finder = FakeFinder(scene)
    monkeypatch.setattr(age_module, "face_finder", lambda: finder)
    monkeypatch.setattr(age_module, "age_model", lambda: FakeAges(scene))
    detectors = [
        AgeDetector(CALIBRATION),
        FaceDetector(finder=finder, parts=lambda image: body_parts(scene)),  # type: ignore[arg-type]
        PromptLexiconDetector(),
        CoversAllFake(),
    ]
    image = draw(scene)
    engine = ScreeningEngine(
        DetectorRegistry(detectors), load_policy(), settings=Settings(), decoder=lambda d, s: image
    )
    mode = Mode.UPLOAD if prompt is None else Mode.EDIT
    return engine.screen(ScreenRequest(mode=mode, prompt=prompt, source_image=b"drawn"))


CHILD_CLOSE_UP = Scene(faces=(Face((200.0, 80.0, 400.0, 300.0), 0.92),))
SMALL_FACE = Scene(faces=(Face((280.0, 100.0, 308.0, 128.0), 0.95),))
MASKED_FACE = Scene(faces=(Face((200.0, 80.0, 400.0, 300.0), 0.92, score=0.7, masked=True),))
PROFILE_FACE = Scene(faces=(Face((200.0, 80.0, 400.0, 300.0), 0.92, turned=True),))
BLURRED_FACE = Scene(faces=(Face((200.0, 80.0, 400.0, 300.0), 0.92, blurred=True),))
ADULT_GROUP = Scene(
    faces=tuple(Face((20.0 + 145 * k, 120.0, 120.0 + 145 * k, 230.0), 0.62) for k in range(4))
)
NO_FACE = Scene(bodies=((240.0, 100.0, 360.0, 420.0),))
# A person with no face well away from a readable face (outside that face's body region).
ADULT_BESIDE_NO_FACE = Scene(
    faces=(Face((40.0, 60.0, 120.0, 150.0), 0.05),),
    bodies=((640.0, 100.0, 740.0, 420.0),),
    size=(900, 480),
)
CHILD_BESIDE_NO_FACE = Scene(
    faces=(Face((40.0, 60.0, 160.0, 200.0), 0.92),),
    bodies=((660.0, 100.0, 780.0, 440.0),),
    size=(900, 480),
)
CROWD_OF_SMALL_FACES = Scene(
    faces=tuple(Face((30.0 + 70 * k, 200.0, 56.0 + 70 * k, 226.0), 0.9) for k in range(8))
)

UNDRESS, BIKINI = "remove her clothes", "put her in a bikini"
ADULT_BIKINI = "put the woman in a bikini"

# (case, scene, prompt, verdict, rules that fire, rules that must not fire, escalated)
CASES = [
    (
        "child close-up, undressing edit",
        CHILD_CLOSE_UP,
        BIKINI,
        Verdict.BLOCK,
        {"R1", "R3"},
        set(),
        True,
    ),
    (
        "small face with a high P(minor)",
        SMALL_FACE,
        BIKINI,
        Verdict.BLOCK,
        {"R3", "R11"},
        {"R1"},
        False,
    ),
    (
        "masked face (low landmark confidence)",
        MASKED_FACE,
        BIKINI,
        Verdict.BLOCK,
        {"R3", "R11"},
        {"R1"},
        False,
    ),
    ("face in profile", PROFILE_FACE, BIKINI, Verdict.BLOCK, {"R3", "R11"}, {"R1"}, False),
    ("blurred face", BLURRED_FACE, BIKINI, Verdict.BLOCK, {"R3", "R11"}, {"R1"}, False),
    (
        "adult group just over the old threshold",
        ADULT_GROUP,
        BIKINI,
        Verdict.BLOCK,
        {"R3"},
        {"R1"},
        False,
    ),
    (
        "person with no face, undressing edit",
        NO_FACE,
        UNDRESS,
        Verdict.BLOCK,
        {"R3", "R11"},
        {"R1"},
        False,
    ),
    (
        "person with no face, the request names a woman",
        NO_FACE,
        ADULT_BIKINI,
        Verdict.BLOCK,
        {"R3"},
        {"R1", "R11"},
        False,
    ),
    (  # no exemption among adults: the person with no face could be a child turned away
        "readable adult face beside a person with no face",
        ADULT_BESIDE_NO_FACE,
        UNDRESS,
        Verdict.BLOCK,
        {"R3", "R11"},
        {"R1"},
        False,
    ),
    (  # the child's face escalates whatever the person beside it is
        "child close-up beside a person with no face",
        CHILD_BESIDE_NO_FACE,
        UNDRESS,
        Verdict.BLOCK,
        {"R1", "R3"},
        set(),
        True,
    ),
    (
        "crowd of small faces all read as minors",
        CROWD_OF_SMALL_FACES,
        BIKINI,
        Verdict.BLOCK,
        {"R3", "R11"},
        {"R1"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "scene", "prompt", "verdict", "fires", "silent", "escalated"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_when_a_drawn_photo_is_edited_then_r1_needs_a_readable_confident_face(
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    scene: Scene,
    prompt: str,
    verdict: Verdict,
    fires: set[str],
    silent: set[str],
    escalated: bool,
) -> None:
    decision = screen(monkeypatch, scene, prompt)
    rules = {r.rule for r in decision.reasons}
    assert decision.decision == verdict, rules
    assert fires <= rules, rules
    assert not silent & rules, rules
    assert decision.escalate is escalated


SCENES = [
    ("child close-up", CHILD_CLOSE_UP),
    ("small face", SMALL_FACE),
    ("masked face", MASKED_FACE),
    ("face in profile", PROFILE_FACE),
    ("adult group", ADULT_GROUP),
    ("person with no face", NO_FACE),
    ("adult beside a person with no face", ADULT_BESIDE_NO_FACE),
    ("child beside a person with no face", CHILD_BESIDE_NO_FACE),
    ("crowd of small faces", CROWD_OF_SMALL_FACES),
]


@pytest.mark.parametrize("prompt", [None, "make the colours warmer"], ids=["upload", "warm edit"])
@pytest.mark.parametrize(("case", "scene"), SCENES, ids=[c[0] for c in SCENES])
def test_when_the_same_photos_are_uploaded_or_warmed_then_allowed_without_escalation_or_review(
    monkeypatch: pytest.MonkeyPatch, case: str, scene: Scene, prompt: str | None
) -> None:
    decision = screen(monkeypatch, scene, prompt)
    assert decision.decision == Verdict.ALLOW, [r.rule for r in decision.reasons]
    assert not decision.escalate


def test_when_a_child_close_up_is_escalated_then_its_face_is_named_readable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decision = screen(monkeypatch, CHILD_CLOSE_UP, BIKINI)
    r1 = next(r for r in decision.reasons if r.rule == "R1")
    faces = [e for s in r1.signals if s.label == "possible_minor" for e in s.evidence]
    assert faces and all(e.readable and e.score == pytest.approx(0.92) for e in faces)


@pytest.mark.parametrize(
    ("scene", "problem"),
    [
        (SMALL_FACE, "too small"),
        (MASKED_FACE, "partly hidden"),
        (PROFILE_FACE, "turned away"),
        (BLURRED_FACE, "blurred"),
    ],
    ids=["small", "masked", "profile", "blurred"],
)
def test_when_a_face_cannot_be_read_then_its_evidence_says_why(
    monkeypatch: pytest.MonkeyPatch, scene: Scene, problem: str
) -> None:
    decision = screen(monkeypatch, scene, BIKINI)
    ages = [e for s in decision.signals if s.label == "possible_minor" for e in s.evidence]
    assert ages and all(e.readable is False and problem in (e.note or "") for e in ages)


@pytest.mark.parametrize(
    ("prompt", "names_an_adult"),
    [
        ("put the woman in a bikini", True),
        ("make my wife wear lingerie", True),
        ("take this man's shirt off", True),
        ("put her in a bikini", False),
        ("remove her clothes", False),
        ("put the girl in a bikini", False),
    ],
)
def test_when_a_request_names_its_subject_then_adult_subject_says_whether_it_is_an_adult(
    prompt: str, names_an_adult: bool
) -> None:
    request = ScreenRequest(mode=Mode.EDIT, prompt=prompt)
    signals = PromptLexiconDetector().detect(ScreenInput(request=request, text=normalise(prompt)))
    assert any(s.label == "adult_subject" and s.fired for s in signals) is names_an_adult
