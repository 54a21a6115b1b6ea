"""Fake detectors for unit tests: the harmful side is always simulated, never real."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.vision.blazeface import RawFace
from consentgate.detectors.vision.face_finder import FrameFaces
from consentgate.images.decoded import DecodedImage
from consentgate.records import Evidence, Signal, Target

PROMPT = frozenset({Target.PROMPT})


class KeywordFake(Detector):
    """Emits ``label`` on the prompt when it contains any of ``words``."""

    version = "0-test"
    targets = PROMPT

    def __init__(self, name: str, mapping: dict[str, str]) -> None:
        self.name = name  # type: ignore[misc]
        self.mapping = mapping
        self.provides = frozenset(mapping.values())  # type: ignore[misc]

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        assert inp.text is not None
        return [
            self.signal(label, Target.PROMPT, 0.99, 0.5, Evidence(span=word))
            for word, label in self.mapping.items()
            if word in inp.text.text
        ]


class FixedFake(Detector):
    """Always emits the given signals (labels on targets), for rule tests."""

    version = "0-test"

    def __init__(
        self,
        name: str,
        signals: Sequence[tuple[str, Target]],
        *,
        score: float = 0.9,
        targets: frozenset[Target] = PROMPT,
    ) -> None:
        self.name = name  # type: ignore[misc]
        self.targets = targets  # type: ignore[misc]
        self.provides = frozenset(label for label, _ in signals)  # type: ignore[misc]
        self._signals = signals
        self._score = score

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        return [self.signal(label, target, self._score, 0.5) for label, target in self._signals]


class RaisingFake(Detector):
    name = "raises"
    version = "0-test"
    targets = PROMPT

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        raise RuntimeError("model file corrupt: /secret/path")


class HangingFake(Detector):
    name = "hangs"
    version = "0-test"
    targets = PROMPT

    def __init__(self) -> None:
        self.release = threading.Event()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        self.release.wait(30)
        return []


class SlowInlineFake(Detector):
    """Runs inline and takes longer than the budget (a bounded detector gone wrong)."""

    name = "slow_inline"
    version = "0-test"
    targets = PROMPT
    runs_inline = True

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        threading.Event().wait(self.seconds)
        return [self.signal("sexual_explicit", Target.PROMPT, 0.0, 0.5)]


class RaisingInlineFake(RaisingFake):
    name = "raises_inline"
    runs_inline = True


class CoversAllFake(Detector):
    """Reads every part of a request for every protection and finds nothing.

    Rule tests add it so that the policy's coverage check sees no gap; the
    coverage tests leave it out.
    """

    name = "covers_all"
    version = "0-test"
    targets = frozenset({Target.PROMPT, Target.HISTORY, Target.SOURCE_IMAGE, Target.OUTPUT_IMAGE})
    provides = frozenset(
        {
            "sexual_explicit",
            "sexualising_edit",
            "minor",
            "possible_minor",
            "nudity",
            "body_revealing",
            "real_person",
            "bank_match_csam",
            "bank_match_ncii",
            "bank_match_consent",
            "bank_match_takedown",
        }
    )

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        return []


class FakeFaces:
    """A face finder that reports the given faces in the first frame of any image."""

    def __init__(self, faces: list[RawFace]) -> None:
        self._faces = tuple(faces)

    def faces(self, image: DecodedImage) -> tuple[FrameFaces, ...]:
        return (FrameFaces(0, self._faces),)
