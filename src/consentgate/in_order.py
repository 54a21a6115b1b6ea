"""Many screens at once, answered in input order: how batch callers fill the batcher.

Why: the encoders batch the prompts of screens that run at the same time (see
``detectors.batcher``). A caller with a list of requests (``Gate.screen_many``,
``consentgate screen --input``) runs up to ``window`` screens at once on its
own threads, so their prompts share batches, while each screen keeps its own
time budget and its own decision, and the answers still come back in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_order(
    work: Callable[[T], R], items: Iterable[T], *, window: int, name: str = "screen"
) -> Iterator[R]:
    """``work`` of each item, in input order, with up to ``window`` items in progress.

    ``items`` is read lazily (at most ``window`` ahead of what was yielded). An
    exception from ``work`` is raised when its item's turn comes, after every
    earlier result. Closing the iterator early cancels the items not started.
    ``window`` 1: one item after another in the caller's thread.
    """
    if window <= 1:
        for item in items:
            yield work(item)
        return
    with ThreadPoolExecutor(max_workers=window, thread_name_prefix=name) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
