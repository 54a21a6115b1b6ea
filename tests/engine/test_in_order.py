"""Many screens at once, answered in input order (``map_in_order``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from consentgate.in_order import map_in_order


class Tracked:
    """Doubles numbers; counts how many run at once; fails on 13; may wait for a gate."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.done: list[int] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, n: int) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            self.gate.wait(30)
            if n == 13:
                raise ValueError("thirteen")
            return 2 * n
        finally:
            with self.lock:
                self.running -= 1
                self.done.append(n)


def test_when_items_run_at_once_then_results_come_in_input_order() -> None:
    work = Tracked()
    assert list(map_in_order(work, range(14, 64), window=8)) == [2 * n for n in range(14, 64)]
    assert 1 <= work.most <= 8


def test_when_the_window_is_one_then_items_run_one_after_another_in_the_caller() -> None:
    callers: list[str] = []

    def work(n: int) -> int:
        callers.append(threading.current_thread().name)
        return n

    assert list(map_in_order(work, range(5), window=1)) == list(range(5))
    assert set(callers) == {threading.current_thread().name}


def test_when_an_item_fails_then_its_error_comes_after_every_earlier_result() -> None:
    results = map_in_order(Tracked(), range(10, 20), window=4)
    assert [next(results) for _ in range(3)] == [20, 22, 24]
    with pytest.raises(ValueError, match="thirteen"):
        next(results)


def test_when_the_input_is_long_then_it_is_read_at_most_a_window_ahead() -> None:
    read: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(1000):
            read.append(n)
            yield n

    results = map_in_order(Tracked(), numbers(), window=4)
    assert next(results) == 0
    assert len(read) <= 5
    results.close()


def test_when_the_caller_stops_early_then_items_not_started_are_never_run() -> None:
    work = Tracked()
    work.gate.clear()  # every started item waits
    results = map_in_order(work, range(100), window=4)
    started = threading.Thread(target=lambda: next(results))
    started.start()
    while work.running < 4:
        threading.Event().wait(0.001)
    work.gate.set()
    started.join(30)
    results.close()
    assert len(work.done) <= 5
