"""Worst-case prompts: the longest prompt of any kind of character is screened in budget.

A prompt may be 20,000 characters. Screening work must grow in proportion to
that, whatever the characters, or be bounded (bench/prompt_worst.py measures
it), and a screen whose time is spent must stop rather than run on in the
worker's thread. These tests run every default prompt detector (the semantic
one with its real encoders, where they are installed) in the real engine with
the default budget and read the decision, count deadline checks, count the
tokens each encoder is given, or read the process's CPU time after an answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from consentgate.detectors.base import DeadlineExceeded, Detector, DetectorContext, ScreenInput
from consentgate.detectors.prompt_classifier import PromptClassifierDetector
from consentgate.detectors.prompt_conversation import PromptConversationDetector
from consentgate.detectors.prompt_lexicon import PromptLexiconDetector
from consentgate.detectors.prompt_semantic import PromptSemanticDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.detectors.semantic_model import SemanticModel
from consentgate.engine import ScreeningEngine
from consentgate.lexicon.loader import load_lexicon
from consentgate.lexicon.matcher import CHECK_EVERY
from consentgate.lexicon.scanner import LexiconScanner
from consentgate.policy.loader import load_policy
from consentgate.records import (
    MAX_HISTORY_TURNS,
    DetectorFailureKind,
    Mode,
    ModelRef,
    ScreenRequest,
    Verdict,
)
from consentgate.settings import Settings
from consentgate.text.encoders import E5Encoder, UseEncoder
from consentgate.text.normalise import normalise
from consentgate.text.token_budget import CHARS_PER_TOKEN

MAX_PROMPT = ScreenRequest.model_fields["prompt"].metadata[0].max_length
ZW = "\u200b"
# One phrase per kind of character, repeated up to the maximum length (as in the benchmark).
PHRASES = {
    "emoji": "🍑",
    "mixed emoji": "🍑🍆💦👙🔞👅🫦👧🍒😀🌊",
    "spaced letters": "r e m o v e   h e r   d r e s s   ",
    "CJK": "把她的衣服脱掉让她穿比基尼变大胸部",
    "Arabic": "اخلع ملابسها واجعلها عارية كبّر صدرها ",
    "leetspeak": "r3m0v3 h3r cl0th3s ",
    "edit words": "remove her dress make bikini bigger breasts take off ",
    "zero-width": ZW.join("remove her clothes ") + ZW,
    "homoglyphs": "rеmоvе hеr сlоthеs аnd mаkе hеr nudе ",
    "dotted letters": "a. ",
    "symbols around a word": "a" + "!" * 100 + "b ",
    "censored": "n*ked p**n s#x ",
}


def longest(phrase: str) -> str:
    return (phrase * (MAX_PROMPT // len(phrase) + 1))[:MAX_PROMPT]


ENCODERS_MISSING = PromptSemanticDetector.unavailable_reason()
needs_encoders = pytest.mark.skipif(ENCODERS_MISSING is not None, reason=str(ENCODERS_MISSING))


class Recorded:
    """An encoder library wrapped to keep every text it is given (after our cut)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self.texts: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def encode(self, texts: list[str]) -> Any:
        self.texts.extend(texts)
        return self._backend.encode(texts)

    def query(self, texts: list[str]) -> Any:
        self.texts.extend(texts)
        return self._backend.query(texts)


@dataclass(frozen=True)
class Semantic:
    """The semantic detector on the real encoders, whose libraries record their input."""

    detector: PromptSemanticDetector
    fast: UseEncoder
    wide: E5Encoder


@pytest.fixture(scope="module")
def semantic() -> Semantic | None:
    if ENCODERS_MISSING is not None:
        return None
    fast, wide = UseEncoder(), E5Encoder()
    fast, wide = UseEncoder(Recorded(fast.backend)), E5Encoder(Recorded(wide.backend))
    return Semantic(PromptSemanticDetector(fast, wide), fast, wide)


@pytest.fixture(scope="module")
def detectors(semantic: Semantic | None) -> list[Detector]:
    """Every default prompt detector that can run here."""
    context = DetectorContext()
    found: list[Detector] = [
        PromptLexiconDetector.from_context(context),
        PromptClassifierDetector.from_context(context),
    ]
    return found if semantic is None else [*found, semantic.detector]


@pytest.fixture(scope="module")
def engine(detectors: list[Detector]) -> Iterator[ScreeningEngine]:
    # Three times the default budget: these tests ask whether any detector's work
    # grows without bound, not how fast a shared machine is today (the CPU time of
    # each detector per kind is what ``bench/prompt_worst.py`` prints).
    # No decision cache: every screen here must do its work (a repeated prompt would not).
    settings = Settings(detector_timeout_s=3 * Settings().detector_timeout_s, decision_cache=0)
    eng = ScreeningEngine(DetectorRegistry(detectors), load_policy(), settings=settings)
    yield eng
    eng.close()


def test_the_maximum_prompt_length_is_the_one_tested() -> None:
    assert MAX_PROMPT == 20_000
    assert MAX_HISTORY_TURNS == 20
    assert Settings().detector_timeout_s == 2.0


@pytest.fixture(scope="module")
def conversation_engine(detectors: list[Detector]) -> Iterator[ScreeningEngine]:
    """Every default prompt detector and the conversation detector, three times the budget."""
    settings = Settings(detector_timeout_s=3 * Settings().detector_timeout_s)
    registry = DetectorRegistry([*detectors, PromptConversationDetector()])
    eng = ScreeningEngine(registry, load_policy(), settings=settings)
    yield eng
    eng.close()


def longest_history(kind: str) -> tuple[str, ...]:
    """Twenty turns of maximum length, each different (so that none is read from the cache)."""
    return tuple(longest(f"{n} {PHRASES[kind]}") for n in range(MAX_HISTORY_TURNS))


@pytest.mark.parametrize("kind", list(PHRASES))
def test_when_twenty_turns_of_maximum_length_come_with_the_prompt_then_none_runs_out_of_time(
    conversation_engine: ScreeningEngine, kind: str
) -> None:
    request = ScreenRequest(
        mode=Mode.EDIT, prompt=longest(PHRASES[kind]), history=longest_history(kind)
    )
    decision = conversation_engine.screen(request)
    assert decision.failures == ()
    assert "prompt_conversation" in {t.detector for t in decision.timings}


def test_when_the_deadline_has_passed_then_no_turn_of_a_long_history_is_read() -> None:
    detector = PromptConversationDetector()
    request = ScreenRequest(
        mode=Mode.EDIT, prompt="keep going", history=longest_history("mixed emoji")
    )
    inp = ScreenInput(request, normalise("keep going"), deadline=time.perf_counter() - 1.0)
    with pytest.raises(DeadlineExceeded):
        detector.detect(inp)
    assert len(detector.reader.cache) == 0


@pytest.mark.parametrize("kind", list(PHRASES))
def test_when_a_prompt_of_maximum_length_is_screened_then_no_detector_runs_out_of_time(
    engine: ScreeningEngine, kind: str
) -> None:
    decision = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt=longest(PHRASES[kind])))
    assert decision.failures == ()
    assert {t.detector for t in decision.timings} == {d.name for d in engine.registry}


@pytest.mark.parametrize("kind", ["mixed emoji", "edit words", "CJK", "Arabic", "leetspeak"])
def test_when_a_long_prompt_repeats_a_harmful_phrase_then_it_is_still_caught(
    engine: ScreeningEngine, kind: str
) -> None:
    decision = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt=longest(PHRASES[kind])))
    assert decision.decision is Verdict.BLOCK


@pytest.mark.parametrize("name", ["prompt_lexicon", "prompt_classifier", "prompt_semantic"])
@pytest.mark.parametrize("prompt", ["put her in a bikini", longest(PHRASES["mixed emoji"])])
def test_when_the_deadline_has_passed_then_a_prompt_detector_gives_up(
    detectors: list[Detector], name: str, prompt: str
) -> None:
    if name not in {d.name for d in detectors}:
        pytest.skip(f"{name} cannot run here: {ENCODERS_MISSING}")
    detector = next(d for d in detectors if d.name == name)
    inp = ScreenInput(
        request=ScreenRequest(prompt=prompt),
        text=normalise(prompt),
        deadline=time.perf_counter() - 1.0,
    )
    with pytest.raises(DeadlineExceeded):
        detector.detect(inp)


def test_when_the_budget_is_spent_then_the_engine_records_a_timeout_not_a_verdict(
    detectors: list[Detector],
) -> None:
    settings = Settings(detector_timeout_s=1e-6)
    eng = ScreeningEngine(DetectorRegistry(detectors), load_policy(), settings=settings)
    try:
        decision = eng.screen(ScreenRequest(prompt=longest(PHRASES["mixed emoji"])))
    finally:
        eng.close()
    assert [(f.detector, f.kind) for f in decision.failures] == [
        (d.name, DetectorFailureKind.TIMEOUT) for d in detectors
    ]
    assert decision.decision is Verdict.REVIEW
    assert decision.signals == ()


class _Stop(Exception):
    pass


@pytest.mark.parametrize("kind", ["edit words", "CJK", "emoji"])
def test_when_a_long_prompt_is_scanned_then_the_deadline_is_checked_all_along(kind: str) -> None:
    """Checked at least once per CHECK_EVERY words or characters, and obeyed at once."""
    scanner = LexiconScanner(load_lexicon())
    text = normalise(longest(PHRASES[kind]))
    calls = 0

    def count() -> None:
        nonlocal calls
        calls += 1

    scanner.scan(text, count)
    assert calls >= len(text.text) // (CHECK_EVERY * 8)
    stop_at = calls // 2

    def stop() -> None:
        nonlocal calls
        calls += 1
        if calls == stop_at:
            raise _Stop

    calls = 0
    with pytest.raises(_Stop):
        scanner.scan(text, stop)
    assert calls == stop_at


@needs_encoders
@pytest.mark.parametrize("kind", list(PHRASES))
def test_when_a_prompt_of_maximum_length_is_embedded_then_each_encoder_reads_its_limit_at_most(
    semantic: Semantic, kind: str
) -> None:
    for encoder in (semantic.fast, semantic.wide):
        encoder.backend.texts.clear()
    prompt = longest(PHRASES[kind])
    semantic.detector.detect(ScreenInput(ScreenRequest(prompt=prompt), normalise(prompt)))
    given = [
        (encoder, text)
        for encoder in (semantic.fast, semantic.wide)
        for text in encoder.backend.texts
    ]
    assert given, "no encoder was asked"
    for encoder, text in given:
        assert len(text) <= encoder.max_tokens * CHARS_PER_TOKEN
        assert encoder.count_tokens(text) <= encoder.max_tokens


class SlowEncoder:
    """An encoder that takes ``seconds`` per call and counts its calls."""

    dim = 8

    def __init__(self, model: ModelRef, seconds: float) -> None:
        self._model, self.seconds, self.calls = model, seconds, 0

    @property
    def model(self) -> ModelRef:
        return self._model

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        time.sleep(self.seconds)
        return np.ones((len(texts), self.dim), np.float32) / np.sqrt(self.dim)


@pytest.mark.parametrize(
    ("prompt", "slow"),
    [
        ("a watercolour painting of a quiet harbour at dawn", "use"),
        ("ένας πίνακας ενός ήσυχου λιμανιού", "e5"),
    ],
)
def test_when_the_budget_runs_out_during_an_embedding_then_the_semantic_detector_stops(
    prompt: str, slow: str
) -> None:
    """The deadline is checked after each encoder's call: no later stage runs."""
    model = SemanticModel.load()
    refs = model.encoders
    fast = SlowEncoder(refs["use"], 0.3 if slow == "use" else 0.0)
    wide = SlowEncoder(refs["e5"], 0.3 if slow == "e5" else 0.0)
    fast.dim, wide.dim = model.heads["use"][0].shape[1], model.heads["e5"][0].shape[1]
    detector = PromptSemanticDetector(fast, wide, model)
    inp = ScreenInput(
        request=ScreenRequest(prompt=prompt),
        text=normalise(prompt),
        deadline=time.perf_counter() + 0.15,
    )
    with pytest.raises(DeadlineExceeded):
        detector.detect(inp)
    assert fast.calls + wide.calls == 1


def _cpu_seconds_after(engine: ScreeningEngine, prompt: str, screens: int, wait_s: float) -> float:
    for _ in range(screens):
        engine.screen(ScreenRequest(prompt=prompt))
    before = time.process_time()
    time.sleep(wait_s)
    return time.process_time() - before


@needs_encoders
def test_when_long_prompts_were_answered_then_the_process_does_not_keep_working(
    detectors: list[Detector],
) -> None:
    """Four 8,000-emoji screens, as in the attack: once answered, the CPU falls quiet.

    Process CPU time (every thread) over three seconds after the last answer: the
    unbounded encoders once went on there for over a minute (about 2 CPU seconds
    in this window on two shared cores); one bounded e5 pass is under half a second."""
    settings = Settings(decision_cache=0)  # four screens of the same prompt, each one run
    engine = ScreeningEngine(DetectorRegistry(detectors), load_policy(), settings=settings)
    try:  # the default budget, as the attack met it
        assert _cpu_seconds_after(engine, "🍑" * 8000, screens=4, wait_s=3.0) < 1.0
    finally:
        engine.close()


@needs_encoders
def test_when_the_cli_screens_a_long_emoji_prompt_then_it_exits_promptly() -> None:
    env = {
        **os.environ,
        "CONSENTGATE_DETECTORS": "prompt_lexicon,prompt_classifier,prompt_semantic",
    }
    result = subprocess.run(
        [sys.executable, "-m", "consentgate", "screen", "--prompt", "🍑" * 8000, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["decision"] in {"allow", "review", "block"}
