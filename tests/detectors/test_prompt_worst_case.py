"""Worst-case prompts: the longest prompt of any kind of character is screened in budget.

A prompt may be 20,000 characters. Screening work must grow in proportion to
that, whatever the characters (bench/prompt_worst.py measures it), and a screen
whose time is spent must stop rather than run on in the worker's thread. These
tests never time anything: they run the real prompt detectors in the real engine
with the default budget and read the decision, or count deadline checks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from consentgate.detectors.base import DeadlineExceeded, Detector, DetectorContext, ScreenInput
from consentgate.detectors.prompt_classifier import PromptClassifierDetector
from consentgate.detectors.prompt_lexicon import PromptLexiconDetector
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.lexicon.loader import load_lexicon
from consentgate.lexicon.matcher import CHECK_EVERY
from consentgate.lexicon.scanner import LexiconScanner
from consentgate.policy.loader import load_policy
from consentgate.records import DetectorFailureKind, Mode, ScreenRequest, Verdict
from consentgate.settings import Settings
from consentgate.text.normalise import normalise

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


def prompt_detectors() -> list[Detector]:
    context = DetectorContext()
    return [
        PromptLexiconDetector.from_context(context),
        PromptClassifierDetector.from_context(context),
    ]


@pytest.fixture(scope="module")
def engine() -> Iterator[ScreeningEngine]:
    eng = ScreeningEngine(DetectorRegistry(prompt_detectors()), load_policy(), settings=Settings())
    yield eng
    eng.close()


def test_the_maximum_prompt_length_is_the_one_tested() -> None:
    assert MAX_PROMPT == 20_000
    assert Settings().detector_timeout_s == 2.0


@pytest.mark.parametrize("kind", list(PHRASES))
def test_when_a_prompt_of_maximum_length_is_screened_then_no_detector_runs_out_of_time(
    engine: ScreeningEngine, kind: str
) -> None:
    decision = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt=longest(PHRASES[kind])))
    assert decision.failures == ()
    assert {t.detector for t in decision.timings} == {"prompt_lexicon", "prompt_classifier"}


@pytest.mark.parametrize("kind", ["mixed emoji", "edit words", "CJK", "Arabic", "leetspeak"])
def test_when_a_long_prompt_repeats_a_harmful_phrase_then_it_is_still_caught(
    engine: ScreeningEngine, kind: str
) -> None:
    decision = engine.screen(ScreenRequest(mode=Mode.EDIT, prompt=longest(PHRASES[kind])))
    assert decision.decision is Verdict.BLOCK


@pytest.mark.parametrize("detector", prompt_detectors(), ids=lambda d: d.name)
@pytest.mark.parametrize("prompt", ["put her in a bikini", longest(PHRASES["mixed emoji"])])
def test_when_the_deadline_has_passed_then_a_prompt_detector_gives_up(
    detector: Detector, prompt: str
) -> None:
    inp = ScreenInput(
        request=ScreenRequest(prompt=prompt),
        text=normalise(prompt),
        deadline=time.perf_counter() - 1.0,
    )
    with pytest.raises(DeadlineExceeded):
        detector.detect(inp)


def test_when_the_budget_is_spent_then_the_engine_records_a_timeout_not_a_verdict() -> None:
    settings = Settings(detector_timeout_s=1e-6)
    eng = ScreeningEngine(DetectorRegistry(prompt_detectors()), load_policy(), settings=settings)
    try:
        decision = eng.screen(ScreenRequest(prompt=longest(PHRASES["mixed emoji"])))
    finally:
        eng.close()
    assert [(f.detector, f.kind) for f in decision.failures] == [
        ("prompt_lexicon", DetectorFailureKind.TIMEOUT),
        ("prompt_classifier", DetectorFailureKind.TIMEOUT),
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
