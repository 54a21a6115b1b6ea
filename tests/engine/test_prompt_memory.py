"""The engine remembers prompt-only signals for recent prompts, and nothing else."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from importlib.metadata import entry_points

import pytest
from PIL import Image

from consentgate.detectors.base import ScreenInput
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import Label, Mode, ScreenRequest, Signal, Target, Verdict
from consentgate.settings import Settings
from tests.fakes import CoversAllFake, KeywordFake

WORDS = {"bikini": Label.SEXUALISING_EDIT}


class CountingFake(KeywordFake):
    """A keyword detector that counts its runs; ``prompt_only`` as the class says."""

    prompt_only = True

    def __init__(self, name: str = "counting", *, fail_first: bool = False) -> None:
        super().__init__(name, WORDS)
        self.runs = 0
        self.fail_first = fail_first
        self._lock = threading.Lock()

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        with self._lock:
            self.runs += 1
            failing = self.fail_first and self.runs == 1
        if failing:
            raise RuntimeError("the first run fails")
        return super().detect(inp)


class NotPromptOnly(CountingFake):
    prompt_only = False


def engine_of(*detectors: object, recent: int = 64) -> ScreeningEngine:
    registry = DetectorRegistry([CoversAllFake(), *detectors])  # type: ignore[list-item]
    return ScreeningEngine(registry, load_policy(), settings=Settings(), recent_prompts=recent)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 140, 200)).save(out, format="PNG")
    return out.getvalue()


def test_when_a_prompt_is_screened_again_then_prompt_only_detectors_run_once() -> None:
    counting = CountingFake()
    engine = engine_of(counting)
    first = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    again = engine.screen(
        ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini", output_image=png())
    )
    engine.close()
    assert counting.runs == 1
    assert first.decision is again.decision is Verdict.BLOCK
    assert [s.label for s in again.signals] == [s.label for s in first.signals]


@pytest.mark.parametrize(
    ("second", "runs"),
    [
        (ScreenRequest(mode=Mode.GENERATE, prompt="put her in a bikini"), 2),  # another mode
        (ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini!"), 2),  # another prompt
        (ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"), 1),  # the same
    ],
)
def test_when_the_mode_or_the_prompt_differs_then_the_detector_runs_again(
    second: ScreenRequest, runs: int
) -> None:
    counting = CountingFake()
    engine = engine_of(counting)
    engine.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    engine.screen(second)
    engine.close()
    assert counting.runs == runs


def test_when_a_detector_is_not_prompt_only_then_it_runs_every_time() -> None:
    plain = NotPromptOnly()
    engine = engine_of(plain)
    for _ in range(3):
        engine.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    engine.close()
    assert plain.runs == 3


def test_when_a_detector_failed_then_its_failure_is_not_remembered() -> None:
    flaky = CountingFake(fail_first=True)
    engine = engine_of(flaky)
    request = ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini")
    failed = engine.screen(request)
    retried = engine.screen(request)
    engine.close()
    assert [f.detector for f in failed.failures] == ["counting"]
    assert failed.decision is Verdict.REVIEW
    assert retried.failures == () and retried.decision is Verdict.BLOCK
    assert flaky.runs == 2


def test_when_two_engines_screen_the_same_prompt_then_neither_uses_the_others_memory() -> None:
    one, two = CountingFake(), CountingFake()
    engines = [engine_of(one), engine_of(two)]
    for engine in engines:
        engine.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
        engine.close()
    assert (one.runs, two.runs) == (1, 1)


def test_when_memory_is_off_then_every_screen_runs_the_detector() -> None:
    counting = CountingFake()
    engine = engine_of(counting, recent=0)
    for _ in range(2):
        engine.screen(ScreenRequest(mode=Mode.EDIT, prompt="put her in a bikini"))
    engine.close()
    assert counting.runs == 2


def test_when_a_builtin_detector_is_prompt_only_then_it_reads_the_prompt_alone() -> None:
    installed = {e.name: e.load() for e in entry_points(group="consentgate.detectors")}
    remembered = {name for name, cls in installed.items() if cls.prompt_only}
    assert remembered == {"prompt_lexicon", "prompt_classifier", "prompt_semantic"}
    assert all(installed[name].targets == frozenset({Target.PROMPT}) for name in remembered)
