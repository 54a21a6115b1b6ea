"""Running one screen's detectors within its time budget, in two stages.

Detectors run on the engine's pool so a hung one cannot hold the request past
its budget. Detectors that declare ``runs_inline`` (small, pure-Python,
bounded) run in the calling thread while the pool works, which saves a thread
hand-off per request; one that overruns the budget all the same is recorded
as a timeout and its signals are discarded.

The second stage (detectors that declare ``runs_second``: faces and age) is
started as soon as the outcomes so far say its signals could change the
decision (``relevant``): with a sexual prompt that is right after the inline
prompt detectors, so it runs beside the image models rather than after them.
When the first stage ends and they still cannot, it is never started. A
second stage started early that turns out not to matter only costs time; one
skipped is skipped only on the first stage's complete outcomes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from consentgate.detectors.base import DeadlineExceeded, Detector, ScreenInput
from consentgate.images.memo import Memo
from consentgate.records import DetectorFailure, DetectorFailureKind, Signal

log = logging.getLogger("consentgate.engine")

Outcome = tuple[list[Signal], float] | DetectorFailure
Relevant = Callable[[Mapping[str, Outcome]], bool]


def run_detectors(
    pool: ThreadPoolExecutor,
    first: list[Detector],
    later: list[Detector],
    inp: ScreenInput,
    deadline: float,
    relevant: Relevant,
    memo: Memo | None = None,
) -> dict[str, Outcome]:
    """Each detector's signals and time, or its failure; a later one absent when skipped.

    ``memo`` holds the prompt-only detectors' signals for this prompt and mode from a
    screen moments ago (the engine's memory of recent prompts); None: none kept."""
    running = _submit(pool, [d for d in first if not d.runs_inline], inp, memo)
    outcomes = {d.name: _run_inline(d, inp, deadline, memo) for d in first if d.runs_inline}
    waiting = list(later)
    asked_at = -1  # what the outcomes held when ``relevant`` last said no
    while True:
        if waiting and _found(outcomes) != asked_at:
            if relevant(outcomes):
                running.update(_submit(pool, waiting, inp, memo))
                waiting = []
            else:  # its answer changes only with new signals or failures
                asked_at = _found(outcomes)
        if not running:
            return outcomes
        _collect(running, deadline, outcomes)


def _found(outcomes: Mapping[str, Outcome]) -> int:
    """How many signals and failures the outcomes hold (they only grow)."""
    return sum(1 if isinstance(o, DetectorFailure) else len(o[0]) for o in outcomes.values())


def _submit(
    pool: ThreadPoolExecutor, detectors: list[Detector], inp: ScreenInput, memo: Memo | None
) -> dict[Future[tuple[list[Signal], float]], Detector]:
    return {pool.submit(_timed, d, inp, memo): d for d in detectors}


def _collect(
    running: dict[Future[tuple[list[Signal], float]], Detector],
    deadline: float,
    outcomes: dict[str, Outcome],
) -> None:
    """Wait for the next detector (or the deadline: then every one still running timed out)."""
    done, _ = wait(
        running, timeout=max(0.0, deadline - time.perf_counter()), return_when=FIRST_COMPLETED
    )
    if not done:
        for future, detector in running.items():
            future.cancel()
            outcomes[detector.name] = failure(detector, DetectorFailureKind.TIMEOUT)
        running.clear()
        return
    for future in done:
        detector = running.pop(future)
        try:
            outcomes[detector.name] = future.result()
        except DeadlineExceeded:
            outcomes[detector.name] = failure(detector, DetectorFailureKind.TIMEOUT)
        except Exception as exc:  # a failing detector is an outcome, not a crash
            outcomes[detector.name] = _error(detector, exc)


def _run_inline(
    detector: Detector, inp: ScreenInput, deadline: float, memo: Memo | None
) -> Outcome:
    try:
        found, ms = _timed(detector, inp, memo)
    except DeadlineExceeded:
        return failure(detector, DetectorFailureKind.TIMEOUT)
    except Exception as exc:  # a failing detector is an outcome, not a crash
        return _error(detector, exc)
    if time.perf_counter() > deadline:
        return failure(detector, DetectorFailureKind.TIMEOUT)
    return found, ms


def _error(detector: Detector, exc: Exception) -> DetectorFailure:
    log.warning("detector %s failed: %s", detector.name, type(exc).__name__)
    return failure(detector, DetectorFailureKind.ERROR, f"raised {type(exc).__name__}")


def _timed(
    detector: Detector, inp: ScreenInput, memo: Memo | None = None
) -> tuple[list[Signal], float]:
    """The detector's signals and the milliseconds they took here (remembered: about 0)."""
    t0 = time.perf_counter()
    if memo is not None and detector.prompt_only:
        found = list(memo.get(detector.name, lambda: tuple(detector.detect(inp))))
    else:
        found = list(detector.detect(inp))
    return found, (time.perf_counter() - t0) * 1000


def failure(detector: Detector, kind: DetectorFailureKind, message: str = "") -> DetectorFailure:
    if kind is DetectorFailureKind.TIMEOUT:
        message = "exceeded the detectors' time budget"
    return DetectorFailure(
        detector=detector.name, detector_version=detector.version, kind=kind, message=message
    )
