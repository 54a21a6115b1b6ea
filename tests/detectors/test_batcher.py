"""The per-process batcher: batches across threads, results in order, deadlines, failures.

Concurrency is made deterministic with announcements (``expect``): the worker
waits for every announced caller (``wait_s`` is long here), so the callers'
jobs meet in one batch whatever the threads' timing. No test reads a clock:
where a wait must not happen, a caller's deadline would pass if it did.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from consentgate.detectors.base import DeadlineExceeded
from consentgate.detectors.batcher import Batcher

LONG = 30.0  # a wait no test should see out: a deadline passes long before


class Work:
    """Upper-cases its items; records each batch; fails on "bad"; may be held."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()

    def __call__(self, items: list[str]) -> list[str]:
        self.calls.append(list(items))
        self.started.set()
        self.release.wait(LONG)
        if "bad" in items:
            raise RuntimeError("this input breaks the model")
        return [item.upper() for item in items]


def batcher(work: Callable[[list[str]], Sequence[str]], **options: Any) -> Batcher[str, str]:
    settings: dict[str, Any] = {"wait_s": LONG, "max_items": 32, "name": "test"} | options
    return Batcher(work, **settings)


def in_threads(calls: list[Callable[[], Any]]) -> list[Future[Any]]:
    pool = ThreadPoolExecutor(len(calls))
    futures = [pool.submit(call) for call in calls]
    pool.shutdown(wait=False)
    return futures


def soon() -> float:
    return time.perf_counter() + 10.0


def test_when_announced_callers_submit_then_their_items_go_in_one_batch_in_order() -> None:
    work = Work()
    b = batcher(work)
    for _ in range(3):
        b.expect()
    texts = [["a", "b"], ["c"], ["d", "e", "f"]]
    futures = in_threads(
        [lambda t=t: b.submit(t, deadline=soon(), expected=True) for t in texts]  # type: ignore[misc]
    )
    results = [f.result(timeout=LONG) for f in futures]
    assert results == [[x.upper() for x in t] for t in texts]
    assert len(work.calls) == 1
    assert sorted(work.calls[0]) == ["a", "b", "c", "d", "e", "f"]


def test_when_no_one_else_is_coming_then_a_lone_caller_does_not_wait() -> None:
    """``wait_s`` is 30 s and the deadline 10 s: had it waited, the caller would time out."""
    work = Work()
    assert batcher(work).submit(["x"], deadline=soon()) == ["X"]
    b = batcher(work)
    b.expect()
    assert b.submit(["y"], deadline=soon(), expected=True) == ["Y"]


def test_when_an_announced_caller_withdraws_then_the_batch_goes_without_it() -> None:
    work = Work()
    b = batcher(work)
    b.expect()
    b.expect()
    future = in_threads([lambda: b.submit(["a"], deadline=soon(), expected=True)])[0]
    b.unexpect()  # the second caller found nothing to embed
    assert future.result(timeout=LONG) == ["A"]
    assert work.calls == [["a"]]


def test_when_more_items_than_a_batch_are_queued_then_batches_hold_at_most_max_items() -> None:
    work = Work()
    work.release.clear()
    b = batcher(work, max_items=3)
    first = in_threads([lambda: b.submit(["hold"], deadline=soon())])[0]
    assert work.started.wait(LONG)
    queued = in_threads([lambda i=i: b.submit([f"t{i}"], deadline=soon()) for i in range(7)])  # type: ignore[misc]
    while sum(len(j.items) for j in b._queue) < 7:  # all seven are waiting behind "hold"
        time.sleep(0.001)
    work.release.set()
    assert first.result(timeout=LONG) == ["HOLD"]
    assert [f.result(timeout=LONG) for f in queued] == [[f"T{i}"] for i in range(7)]
    assert [len(c) for c in work.calls] == [1, 3, 3, 1]


def test_when_the_deadline_passes_while_queued_then_the_caller_times_out_and_is_dropped() -> None:
    work = Work()
    work.release.clear()
    b = batcher(work)
    busy = in_threads([lambda: b.submit(["busy"], deadline=soon())])[0]
    assert work.started.wait(LONG)
    with pytest.raises(DeadlineExceeded):
        b.submit(["late"], deadline=time.perf_counter() + 0.05)
    work.release.set()
    assert busy.result(timeout=LONG) == ["BUSY"]
    assert b.submit(["next"], deadline=soon()) == ["NEXT"]
    assert ["late"] not in work.calls
    assert all("late" not in call for call in work.calls)


def test_when_the_deadline_passes_while_the_batch_waits_then_the_caller_is_not_held() -> None:
    work = Work()
    b = batcher(work)
    b.expect()  # someone announced who never comes
    b.expect()
    with pytest.raises(DeadlineExceeded):
        b.submit(["waiting"], deadline=time.perf_counter() + 0.05, expected=True)
    assert work.calls == []  # dropped before its batch ran
    b.unexpect()


def test_when_the_deadline_has_already_passed_then_nothing_is_queued() -> None:
    work = Work()
    b = batcher(work)
    b.expect()
    with pytest.raises(DeadlineExceeded):
        b.submit(["x"], deadline=time.perf_counter() - 1.0, expected=True)
    assert work.calls == []
    assert b._coming == 0


def test_when_one_input_breaks_a_batch_then_only_its_caller_fails() -> None:
    work = Work()
    b = batcher(work)
    for _ in range(3):
        b.expect()
    futures = in_threads(
        [lambda t=t: b.submit([t], deadline=soon(), expected=True) for t in ("a", "bad", "c")]  # type: ignore[misc]
    )
    assert futures[0].result(timeout=LONG) == ["A"]
    with pytest.raises(RuntimeError, match="breaks the model"):
        futures[1].result(timeout=LONG)
    assert futures[2].result(timeout=LONG) == ["C"]
    assert len(work.calls) == 4  # the batch, then each job alone


def test_when_the_work_returns_the_wrong_number_of_results_then_the_caller_gets_an_error() -> None:
    b: Batcher[str, str] = batcher(lambda items: items[:-1])
    with pytest.raises(ValueError, match="1 results for 2 items"):
        b.submit(["a", "b"], deadline=soon())


def test_when_nothing_is_submitted_then_no_work_is_done() -> None:
    work = Work()
    b = batcher(work)
    b.expect()
    assert b.submit([], deadline=soon(), expected=True) == []
    assert work.calls == []
    assert b._coming == 0


def test_when_many_threads_submit_then_every_caller_gets_exactly_its_own_results() -> None:
    b: Batcher[int, int] = Batcher(
        lambda items: [i * i for i in items], wait_s=0.002, max_items=8, name="squares"
    )
    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(lambda n: b.submit([n, n + 1], deadline=soon()), range(400)))
    assert got == [[n * n, (n + 1) * (n + 1)] for n in range(400)]
    assert b.items == 800
    assert b.batches < 400  # some calls shared a batch


def _submit_in_child(b: Batcher[str, str], out: Any) -> None:
    out.send(b.submit(["child"], deadline=soon()))


def test_when_the_process_forks_then_the_child_starts_its_own_worker() -> None:
    b: Batcher[str, str] = batcher(lambda items: [i.upper() for i in items])
    assert b.submit(["parent"], deadline=soon()) == ["PARENT"]  # the parent's thread runs
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_submit_in_child, args=(b, send))
    child.start()
    assert receive.poll(LONG)
    assert receive.recv() == ["CHILD"]
    child.join(LONG)
    assert child.exitcode == 0


@pytest.mark.parametrize(("wait_s", "max_items"), [(-0.001, 4), (0.002, 0)])
def test_when_settings_are_out_of_range_then_the_batcher_refuses_them(
    wait_s: float, max_items: int
) -> None:
    with pytest.raises(ValueError):
        Batcher(lambda items: items, wait_s=wait_s, max_items=max_items, name="bad")
