"""Batching across requests: work that callers in many threads submit, done in batches.

Why: a sentence encoder costs about the same for one prompt as for a dozen
(USE streams its weights once per batch; e5's C engine runs a batch in one
pass), and the service screens each request in its own thread. A per-process
``Batcher`` collects what concurrent screens submit and runs it in one call:

* one worker thread per batcher takes the oldest job and whatever else is
  queued, up to ``max_items``; it waits for more at most ``wait_s`` after the
  oldest job was queued, and not at all when no announced caller is still on
  its way (``expect``), so a lone request never waits;
* jobs that arrive while the worker is busy queue up and go in the next batch;
* a caller waits for its own result until its deadline and then gives up
  (``DeadlineExceeded``, the engine's timeout outcome): a job still queued is
  dropped, one already in a batch finishes there and its result is discarded;
* when a batch raises, each of its jobs is run again alone, so an input that
  breaks the model fails only the request that sent it.

The worker thread starts on the first submit and stops after ``IDLE_S`` without
work (so a batcher needs no close, and a forked worker process starts its own).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from consentgate.detectors.base import DeadlineExceeded

T = TypeVar("T")
R = TypeVar("R")

IDLE_S = 1.0  # the worker thread stops after this long without work


@dataclass(eq=False)
class _Job(Generic[T, R]):
    items: list[T]
    queued_at: float
    future: Future[list[R]] = field(default_factory=Future)


class Batcher(Generic[T, R]):
    """Runs ``work`` over the items of many callers at once; ``work`` returns one result per item.

    Thread-safe. ``submit`` blocks its caller until its items' results are in,
    the deadline passes (``DeadlineExceeded``) or ``work`` raised for them.
    """

    def __init__(
        self, work: Callable[[list[T]], Sequence[R]], *, wait_s: float, max_items: int, name: str
    ) -> None:
        if wait_s < 0 or max_items < 1:
            raise ValueError("wait_s must be >= 0 and max_items >= 1")
        self._work, self.wait_s, self.max_items, self.name = work, wait_s, max_items, name
        self.batches = 0  # batches run (a job retried alone after a failure counts too)
        self.items = 0  # items run in them
        self._reset()

    def _reset(self) -> None:
        """Fresh state: at construction, and in a forked child (whose parent's thread is gone)."""
        self._pid = os.getpid()
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[_Job[T, R]] = deque()
        self._coming = 0  # callers announced by ``expect`` that have not submitted yet
        self._thread: threading.Thread | None = None

    def expect(self) -> None:
        """Say that this caller will probably submit soon: the worker waits for it
        (at most ``wait_s``). Every ``expect`` is ended by ``submit(expected=True)``
        or by ``unexpect``."""
        self._check_fork()
        with self._cond:
            self._coming += 1

    def unexpect(self) -> None:
        """An announced caller that will not submit after all."""
        with self._cond:
            self._coming = max(0, self._coming - 1)
            self._cond.notify_all()

    def submit(
        self, items: Sequence[T], *, deadline: float | None = None, expected: bool = False
    ) -> list[R]:
        """The results of ``work`` for ``items``, in order, computed in some batch.

        ``deadline`` is a ``time.perf_counter()`` reading (None: wait as long as it
        takes). ``expected``: this call ends the caller's ``expect``.
        """
        if not items:
            if expected:
                self.unexpect()
            return []
        if deadline is not None and time.perf_counter() > deadline:
            if expected:
                self.unexpect()
            raise DeadlineExceeded
        self._check_fork()
        job: _Job[T, R] = _Job(list(items), time.perf_counter())
        with self._cond:
            if expected:
                self._coming = max(0, self._coming - 1)
            self._queue.append(job)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=f"batch-{self.name}", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()
        timeout = None if deadline is None else max(0.0, deadline - time.perf_counter())
        try:
            return job.future.result(timeout=timeout)
        except (FutureTimeout, CancelledError):
            job.future.cancel()  # still queued: the worker drops it
            raise DeadlineExceeded from None

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            self._reset()

    # --- the worker thread ---

    def _run(self) -> None:
        while True:
            jobs = self._next_batch()
            if jobs is None:
                return
            self._execute(jobs)

    def _next_batch(self) -> list[_Job[T, R]] | None:
        """The next batch to run, or None when the thread should stop (idle)."""
        with self._cond:
            while not self._queue:
                if not self._cond.wait(IDLE_S) and not self._queue:
                    self._thread = None
                    return None
            first = self._queue[0].queued_at
            while True:
                queued = sum(len(j.items) for j in self._queue if not j.future.cancelled())
                remaining = first + self.wait_s - time.perf_counter()
                if queued >= self.max_items or self._coming == 0 or remaining <= 0:
                    break
                self._cond.wait(remaining)
            jobs: list[_Job[T, R]] = []
            size = 0
            while self._queue and (not jobs or size + len(self._queue[0].items) <= self.max_items):
                job = self._queue.popleft()
                if job.future.set_running_or_notify_cancel():  # False: its caller gave up
                    jobs.append(job)
                    size += len(job.items)
            return jobs

    def _execute(self, jobs: list[_Job[T, R]]) -> None:
        if not jobs:
            return
        try:
            results = self._call([item for job in jobs for item in job.items])
        except Exception as exc:
            if len(jobs) == 1:
                jobs[0].future.set_exception(exc)
                return
            for job in jobs:  # find the job that fails: each one alone
                try:
                    job.future.set_result(self._call(job.items))
                except Exception as alone:
                    job.future.set_exception(alone)
            return
        start = 0
        for job in jobs:
            job.future.set_result(results[start : start + len(job.items)])
            start += len(job.items)

    def _call(self, items: list[T]) -> list[R]:
        self.batches += 1
        self.items += len(items)
        results = list(self._work(items))
        if len(results) != len(items):
            raise ValueError(f"{self.name}: {len(results)} results for {len(items)} items")
        return results
