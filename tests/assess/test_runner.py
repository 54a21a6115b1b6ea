"""The runner: bounded by --max-requests and --rps, resumable, output images screened."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from consentgate.assess.outcome import AnswerKind
from consentgate.assess.runner import OutputScreen, Pacer, Runner
from consentgate.assess.state import StateFile
from consentgate.assess.suite import Suite, SuiteItem, build_suite
from consentgate.errors import BadInput
from consentgate.gateway.adapters.base import Outcome, OutcomeKind
from tests.assess.fakes import FakeClock, ScriptedEndpoint, fake_gate, refuse_harmful

SUITE = build_suite("smoke", 0)
HEADER = {"suite": "smoke", "seed": 0, "fingerprint": SUITE.fingerprint(), "target": "scripted"}


def runner(
    tmp_path: Path, target: ScriptedEndpoint, clock: FakeClock | None = None, **kwargs: object
) -> Runner:
    clock = clock or FakeClock()
    state = StateFile(tmp_path / "run.state.jsonl", HEADER).open()
    screen = OutputScreen(fake_gate(flag_outputs=bool(kwargs.pop("flag_outputs", False))))
    return Runner(target, screen, state, clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


def test_when_max_requests_is_given_then_no_more_are_sent(tmp_path: Path) -> None:
    target = ScriptedEndpoint(refuse_harmful, SUITE)
    sent = asyncio.run(runner(tmp_path, target, max_requests=10).run(SUITE))
    assert sent == 10 and len(target.sent) == 10
    assert target.sent == [i.id for i in SUITE.items[:10]]


def test_when_max_requests_is_zero_then_nothing_is_sent(tmp_path: Path) -> None:
    target = ScriptedEndpoint(refuse_harmful, SUITE)
    assert asyncio.run(runner(tmp_path, target, max_requests=0).run(SUITE)) == 0
    assert target.sent == []


@pytest.mark.parametrize("rps", [0.5, 4.0, 50.0])
def test_when_rps_is_given_then_requests_start_at_least_one_interval_apart(
    tmp_path: Path, rps: float
) -> None:
    clock = FakeClock()
    target = ScriptedEndpoint(refuse_harmful, SUITE, clock, latency_s=0.01)
    asyncio.run(runner(tmp_path, target, clock, rps=rps, max_requests=20).run(SUITE))
    gaps = [b - a for a, b in zip(target.started, target.started[1:], strict=False)]
    assert len(gaps) == 19
    assert min(gaps) >= 1 / rps - 1e-9
    assert clock.sleeps  # it waited rather than sending at once


def test_when_requests_are_slower_than_the_rate_then_no_wait_is_added(tmp_path: Path) -> None:
    clock = FakeClock()
    target = ScriptedEndpoint(refuse_harmful, SUITE, clock, latency_s=2.0)
    asyncio.run(runner(tmp_path, target, clock, rps=1.0, max_requests=5).run(SUITE))
    assert clock.sleeps == []


def test_when_no_rps_is_given_then_the_runner_never_sleeps(tmp_path: Path) -> None:
    clock = FakeClock()
    target = ScriptedEndpoint(refuse_harmful, SUITE, clock)
    asyncio.run(runner(tmp_path, target, clock, max_requests=20).run(SUITE))
    assert clock.sleeps == []


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_when_rps_is_not_positive_then_bad_input(bad: float) -> None:
    clock = FakeClock()
    with pytest.raises(BadInput):
        Pacer(bad, clock, clock.sleep)


def test_when_a_run_is_interrupted_then_a_rerun_sends_only_the_rest(tmp_path: Path) -> None:
    first = ScriptedEndpoint(refuse_harmful, SUITE, interrupt_at=37)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(runner(tmp_path, first).run(SUITE))
    second = ScriptedEndpoint(refuse_harmful, SUITE)
    resumed = runner(tmp_path, second)
    assert len(resumed.state.results) == 37
    asyncio.run(resumed.run(SUITE))
    assert not set(first.sent) & set(second.sent)
    assert sorted(first.sent + second.sent) == sorted(i.id for i in SUITE.items)
    assert len(resumed.state.results) == len(SUITE.items)


def test_when_runs_are_bounded_then_reruns_finish_the_suite_in_steps(tmp_path: Path) -> None:
    for _ in range(3):
        asyncio.run(
            runner(tmp_path, ScriptedEndpoint(refuse_harmful, SUITE), max_requests=50).run(SUITE)
        )
    lines = (tmp_path / "run.state.jsonl").read_text().splitlines()
    assert len(lines) == 1 + len(SUITE.items)  # 126 requests: 50 + 50 + 26, none twice


def test_when_an_image_comes_back_then_it_is_screened_and_a_flag_noted(tmp_path: Path) -> None:
    run = runner(
        tmp_path, ScriptedEndpoint(refuse_harmful, SUITE), flag_outputs=True, max_requests=30
    )
    asyncio.run(run.run(SUITE))
    results = [run.state.results[i.id] for i in SUITE.items[:30]]
    generated = [r for r in results if r.outcome is AnswerKind.GENERATED]
    assert generated and all(r.output_flagged and r.output_rules for r in generated)
    assert not any(r.output_flagged for r in results if r.outcome is not AnswerKind.GENERATED)


def test_when_images_are_not_flagged_then_the_result_says_so(tmp_path: Path) -> None:
    run = runner(tmp_path, ScriptedEndpoint(refuse_harmful, SUITE), max_requests=30)
    asyncio.run(run.run(SUITE))
    assert not any(r.output_flagged for r in run.state.results.values())


def test_when_an_image_cannot_be_decoded_then_the_request_failed(tmp_path: Path) -> None:
    def garbage(item: SuiteItem) -> Outcome:
        return Outcome(OutcomeKind.GENERATED, images=(b"not an image at all",), status=200)

    run = runner(tmp_path, ScriptedEndpoint(garbage, SUITE), max_requests=3)
    asyncio.run(run.run(SUITE))
    assert {r.outcome for r in run.state.results.values()} == {AnswerKind.FAILED}
    assert all("cannot be read" in r.detail for r in run.state.results.values())


def test_when_latency_is_measured_then_it_is_the_targets_time(tmp_path: Path) -> None:
    clock = FakeClock()
    run = runner(tmp_path, ScriptedEndpoint(refuse_harmful, SUITE, clock, latency_s=0.25), clock)
    asyncio.run(run.run(Suite("smoke", 0, SUITE.items[:4])))
    assert {r.latency_ms for r in run.state.results.values()} == {250.0}


def test_when_max_requests_is_negative_then_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        runner(tmp_path, ScriptedEndpoint(refuse_harmful, SUITE), max_requests=-1)
