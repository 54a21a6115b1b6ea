"""The engine's decision cache: what hits, what never does, its bound, and its off switch."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

import pytest
from PIL import Image

from consentgate.decision_cache import DecisionCache
from consentgate.detectors.base import Detector, ScreenInput
from consentgate.detectors.registry import DetectorRegistry
from consentgate.engine import ScreeningEngine
from consentgate.policy.loader import load_policy
from consentgate.records import (
    Decision,
    DetectorFailureKind,
    Mode,
    ScreenRequest,
    Signal,
    Subject,
    Target,
    Verdict,
)
from consentgate.settings import Settings
from tests.fakes import CoversAllFake


class Counting(Detector):
    """Finds ``sexualising_edit`` in prompts with "bikini"; counts the prompts it read."""

    name = "counting"
    version = "1"
    targets = frozenset({Target.PROMPT, Target.SOURCE_IMAGE})
    provides = frozenset({"sexualising_edit"})
    prompt_only = True

    def __init__(self) -> None:
        self.read: list[str] = []

    def detect(self, inp: ScreenInput) -> Sequence[Signal]:
        assert inp.text is not None or inp.source is not None
        text = inp.text.text if inp.text is not None else ""
        self.read.append(text)
        if "crash" in text:
            raise RuntimeError("fails on this prompt")
        if "bikini" not in text:
            return []
        return [self.signal("sexualising_edit", Target.PROMPT, 0.99, 0.5)]


class CoversAllDeterministic(CoversAllFake):
    prompt_only = True


class Changing(Counting):
    """As ``Counting``, but not prompt-only (a plug-in that reads some state)."""

    name = "changing"
    prompt_only = False


def png() -> bytes:
    """A benign plain picture."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (135, 206, 235)).save(out, format="PNG")
    return out.getvalue()


def engine_with(detector: Detector, **settings: object) -> ScreeningEngine:
    registry = DetectorRegistry([CoversAllDeterministic(), detector])
    # The engine's memo of recent prompts' signals is off: a second screen of the
    # same prompt must then read it again unless the decision itself was cached.
    return ScreeningEngine(
        registry,
        load_policy(),
        settings=Settings(**settings),  # type: ignore[arg-type]
        recent_prompts=0,
    )


@pytest.fixture
def counting() -> Counting:
    return Counting()


@pytest.fixture
def engine(counting: Counting) -> Iterator[ScreeningEngine]:
    eng = engine_with(counting)
    yield eng
    eng.close()


def edit(prompt: str, **fields: object) -> ScreenRequest:
    return ScreenRequest(mode=Mode.EDIT, prompt=prompt, **fields)  # type: ignore[arg-type]


def test_when_a_prompt_is_repeated_then_it_is_screened_once_and_answered_as_a_new_decision(
    engine: ScreeningEngine, counting: Counting
) -> None:
    first = engine.screen(edit("put her in a bikini", id="a"))
    again = engine.screen(edit("put her in a bikini", id="b"))
    assert counting.read == ["put her in a bikini"]
    assert (first.cached, again.cached) == (False, True)
    assert again.id != first.id
    assert (again.request_id, first.request_id) == ("b", "a")
    assert again.created >= first.created
    assert again.timings == ()
    assert first.timings != ()
    same = {"decision", "reasons", "signals", "failures", "escalate", "policy_version", "mode"}
    assert again.model_dump(include=same) == first.model_dump(include=same)
    assert again.decision is Verdict.BLOCK
    assert engine.cache is not None
    assert (engine.cache.hits, engine.cache.misses) == (1, 1)


def test_when_two_prompts_normalise_alike_then_they_share_a_decision(
    engine: ScreeningEngine, counting: Counting
) -> None:
    engine.screen(edit("Put her in a  bikini"))
    assert engine.screen(edit("put her in a bikini")).cached
    assert len(counting.read) == 1


@pytest.mark.parametrize(
    "other",
    [
        edit("put her in a b1kini"),  # leetspeak: another reading, a disguise named
        edit("put her in a bi\u200bkini"),  # the same canonical text, a disguise found
        ScreenRequest(mode=Mode.GENERATE, prompt="put her in a bikini"),
        edit("put her in a bikini", subject=Subject.MINOR),
        edit("put her in a bikini", subject=Subject.REAL_PERSON),
    ],
)
def test_when_anything_that_decides_differs_then_it_is_screened_again(
    engine: ScreeningEngine, counting: Counting, other: ScreenRequest
) -> None:
    engine.screen(edit("put her in a bikini"))
    decision = engine.screen(other)
    assert not decision.cached
    assert len(counting.read) == 2


def test_when_adult_mode_differs_then_engines_do_not_share_decisions(counting: Counting) -> None:
    plain, adult = engine_with(counting), engine_with(counting, adult_mode=True)
    try:
        plain.screen(edit("put her in a bikini"))
        assert not adult.screen(edit("put her in a bikini")).cached
    finally:
        plain.close()
        adult.close()


def test_when_a_request_has_an_image_then_its_decision_is_never_cached(
    engine: ScreeningEngine, counting: Counting
) -> None:
    for _ in range(2):
        decision = engine.screen(edit("put her in a bikini", source_image=png()))
        assert not decision.cached
    assert len(counting.read) == 2
    assert engine.cache is not None and len(engine.cache) == 0


def test_when_a_detector_is_not_prompt_only_then_nothing_is_cached() -> None:
    changing = Changing()
    eng = engine_with(changing)
    try:
        assert not any(eng.screen(edit("put her in a bikini")).cached for _ in range(2))
    finally:
        eng.close()
    assert len(changing.read) == 2


def test_when_a_detector_failed_then_the_next_screen_tries_again(
    engine: ScreeningEngine, counting: Counting
) -> None:
    first = engine.screen(edit("this will crash"))
    assert [f.kind for f in first.failures] == [DetectorFailureKind.ERROR]
    assert not engine.screen(edit("this will crash")).cached
    assert len(counting.read) == 2


def test_when_the_cache_is_full_then_the_least_recently_used_decision_goes(
    counting: Counting,
) -> None:
    eng = engine_with(counting, decision_cache=2)
    try:
        for prompt in ("one", "two", "one", "three"):  # "two" is the least recently used
            eng.screen(edit(prompt))
        assert eng.cache is not None and len(eng.cache) == 2
        assert eng.screen(edit("one")).cached
        assert eng.screen(edit("three")).cached
        assert not eng.screen(edit("two")).cached
    finally:
        eng.close()
    assert counting.read == ["one", "two", "three", "two"]


def test_when_the_cache_is_off_then_every_screen_runs_the_detectors(counting: Counting) -> None:
    eng = engine_with(counting, decision_cache=0)
    try:
        assert eng.cache is None
        assert not any(eng.screen(edit("put her in a bikini")).cached for _ in range(3))
    finally:
        eng.close()
    assert len(counting.read) == 3


def test_when_the_policy_is_replaced_then_earlier_decisions_are_not_reused(
    engine: ScreeningEngine, counting: Counting
) -> None:
    engine.screen(edit("put her in a bikini"))
    engine.policy = engine.policy.model_copy(update={"version": "changed"})
    decision = engine.screen(edit("put her in a bikini"))
    assert not decision.cached
    assert decision.policy_version == "changed"
    assert len(counting.read) == 2


def test_when_lookups_happen_then_the_observer_hears_each_hit_and_miss(
    engine: ScreeningEngine,
) -> None:
    heard: list[bool] = []
    assert engine.cache is not None
    engine.cache.observe = heard.append
    for prompt in ("a", "b", "a", "a"):
        engine.screen(edit(prompt))
    engine.screen(edit("a", source_image=png()))  # not a lookup: an image
    assert heard == [False, False, True, True]
    assert engine.cache.hit_rate == 0.5


def test_when_a_cache_has_no_room_then_it_is_refused() -> None:
    with pytest.raises(ValueError):
        DecisionCache(0)


def _decision(verdict: Verdict) -> Decision:
    return Decision(mode=Mode.EDIT, decision=verdict, reasons=(), policy_id="p", policy_version="1")


def test_when_a_decision_is_put_under_an_older_policy_then_it_is_dropped() -> None:
    cache = DecisionCache(4)
    old, new = object(), object()
    assert cache.get("k", new) is None
    cache.put("k", old, _decision(Verdict.BLOCK))  # decided before the policy changed
    assert cache.get("k", new) is None
    cache.put("k", new, _decision(Verdict.ALLOW))
    found = cache.get("k", new)
    assert found is not None and found.decision is Verdict.ALLOW
