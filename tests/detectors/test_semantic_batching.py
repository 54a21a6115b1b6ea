"""The semantic detector with its encoders batched across screens (fake encoders).

Concurrent screens are lined up with a cue reader that waits at a barrier: by
then every screen has announced itself, so the batch holds all of them and the
test does not depend on the threads' timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.typing import NDArray

from consentgate.detectors.base import DeadlineExceeded, ScreenInput
from consentgate.detectors.prompt_semantic import PromptSemanticDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.detectors.semantic_batching import BatchSettings
from consentgate.detectors.semantic_features import Cues
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import DetectorFailureKind, ScreenRequest, Verdict
from consentgate.settings import Settings
from consentgate.text.normalise import normalise
from consentgate.text.normalised import NormalisedText
from tests.detectors.semantic_fakes import FakeEncoder, NoCues, fake_model
from tests.fakes import CoversAllFake

LONG = 30.0
PROMPTS = [
    "the forbidden request",  # USE, blocks
    "maybe the request",  # USE, review band: e5's second opinion is asked
    "the plain request",  # USE, nothing
    "ένας πίνακας forbidden",  # Greek: e5 reads it instead of USE
    "ένας πίνακας ενός λιμανιού",
    "maybe the forbidden request",
]


class Lined(NoCues):
    """Cues as ``NoCues``, read only once ``parties`` screens have reached this point."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties)

    def read(self, text: NormalisedText, check: Callable[[], None]) -> Cues:
        self.barrier.wait(LONG)
        return super().read(text, check)


class Raising(FakeEncoder):
    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if any("boom" in t for t in texts):
            raise RuntimeError("the encoder cannot read this")
        return super().embed(texts)


def build(
    cues: NoCues | None = None, wait_s: float = LONG, fast: FakeEncoder | None = None
) -> tuple[PromptSemanticDetector, FakeEncoder, FakeEncoder]:
    fast, wide = fast or FakeEncoder("use"), FakeEncoder("e5")
    batching = BatchSettings(wait_s=wait_s, max_items=32)
    model = fake_model(fast, wide)
    return (
        PromptSemanticDetector(fast, wide, model, cues or NoCues(), batching=batching),
        fast,
        wide,
    )


def screen_input(prompt: str, deadline: float | None = None) -> ScreenInput:
    return ScreenInput(
        request=ScreenRequest(prompt=prompt), text=normalise(prompt), deadline=deadline
    )


def concurrently(detector: PromptSemanticDetector, prompts: list[str]) -> list[object]:
    with ThreadPoolExecutor(len(prompts)) as pool:
        futures = [
            pool.submit(detector.detect, screen_input(p, time.perf_counter() + LONG))
            for p in prompts
        ]
        return [f.result(timeout=LONG) for f in futures]


def test_when_screens_run_together_then_each_gets_the_signals_it_gets_alone() -> None:
    alone_detector, _, alone_wide = build(wait_s=0.0)
    alone = [alone_detector.detect(screen_input(p)) for p in PROMPTS]
    detector, fast, wide = build(Lined(len(PROMPTS)))
    assert concurrently(detector, PROMPTS) == alone
    assert len(fast.calls) == 1  # every USE reading in one batch
    assert sorted(fast.calls[0]) == sorted(normalise(p).text for p in PROMPTS if "πίνακας" not in p)
    # e5 read the Greek prompts and gave a second opinion, in at most two batches
    assert sorted(t for c in wide.calls for t in c) == sorted(
        t for c in alone_wide.calls for t in c
    )
    assert len(alone_wide.calls) == 3
    assert len(wide.calls) <= 2


def test_when_batching_is_off_then_each_screen_calls_the_encoder_itself() -> None:
    fast, wide = FakeEncoder("use"), FakeEncoder("e5")
    detector = PromptSemanticDetector(fast, wide, fake_model(fast, wide), NoCues())
    assert detector.batches is None
    for prompt in PROMPTS[:3]:
        detector.detect(screen_input(prompt))
    assert [len(c) for c in fast.calls] == [1, 1, 1]


@pytest.mark.parametrize(("wait_ms", "on"), [(0.0, False), (2.0, True), (0.5, True)])
def test_when_settings_set_the_wait_then_the_batcher_is_on_or_off(wait_ms: float, on: bool) -> None:
    settings = Settings(batch_wait_ms=wait_ms, batch_max=7)
    batching = PromptSemanticDetector.batch_settings(settings)
    assert (batching is not None) is on
    if batching is not None:
        assert batching == BatchSettings(wait_s=wait_ms / 1000, max_items=7)


def test_when_one_prompt_breaks_the_encoder_then_only_its_screen_fails() -> None:
    prompts = ["the plain request", "boom goes the request", "the forbidden request"]
    detector, _, _ = build(Lined(len(prompts)), fast=Raising("use"))
    with ThreadPoolExecutor(len(prompts)) as pool:
        futures = [
            pool.submit(detector.detect, screen_input(p, time.perf_counter() + LONG))
            for p in prompts
        ]
    assert futures[0].result() == []
    with pytest.raises(RuntimeError, match="cannot read"):
        futures[1].result()
    assert {s.label for s in futures[2].result()} == {
        "sexual_explicit",
        "sexualising_edit",
        "minor",
        "real_person",
    }


class Holding(NoCues):
    """Holds the screen of a prompt containing "hold" in its cue reading until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.holding = threading.Event()

    def read(self, text: NormalisedText, check: Callable[[], None]) -> Cues:
        if "hold" in text.text:
            self.holding.set()
            self.release.wait(LONG)
        return super().read(text, check)


def test_when_the_budget_runs_out_while_waiting_for_a_batch_then_the_screen_times_out() -> None:
    """A screen announced but still reading its cues keeps the batch waiting (up to
    the wait, 30 s here); the screen behind it answers at its own deadline, as a timeout."""
    cues = Holding()
    detector, _, _ = build(cues)
    registry = DetectorRegistry([CoversAllFake(), detector])
    engine = ScreeningEngine(registry, load_policy(), settings=Settings(detector_timeout_s=0.2))
    try:
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(engine.screen, ScreenRequest(prompt="hold the request"))
            assert cues.holding.wait(LONG)
            decision = engine.screen(ScreenRequest(prompt="the plain request"))
            cues.release.set()
            held.result(timeout=LONG)
    finally:
        engine.close()
    assert [(f.detector, f.kind) for f in decision.failures] == [
        ("prompt_semantic", DetectorFailureKind.TIMEOUT)
    ]
    assert decision.decision is Verdict.REVIEW


def test_when_the_deadline_passes_inside_the_detector_then_it_raises_deadline_exceeded() -> None:
    cues = Holding()
    detector, _, _ = build(cues)
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(detector.detect, screen_input("hold the request"))
        assert cues.holding.wait(LONG)
        with pytest.raises(DeadlineExceeded):
            detector.detect(screen_input("the plain request", time.perf_counter() + 0.05))
        cues.release.set()
        held.result(timeout=LONG)
    batchers = detector.batches.batchers if detector.batches else {}
    assert all(b._coming == 0 for b in batchers.values())  # every announcement ended
