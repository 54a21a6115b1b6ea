"""Per-image findings computed once, and remembered for images seen moments ago.

Why a memo: two detectors may need the same model's findings for one image
(the face boxes feed both ``faces`` and ``age``), and the engine runs them
concurrently. The first to ask computes; the other waits for the answer
instead of computing it a second time.

Why remember recent images: an edit is screened twice, before generation
(prompt + source photo) and after it (source + output), and both screens send
the same source bytes. A model's findings depend only on the bytes, so the
second screen takes the source's findings from the first instead of running
every model on it again. Only findings are kept (boxes, scores), never
pixels; the number of images remembered is bounded, least recently used out
first. Another worker process simply computes them again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")

RECENT_IMAGES = 64
"""Images whose findings a process remembers (a few kilobytes each)."""


class Memo:
    """Per-image results computed at most once, even when detectors run concurrently.

    The first caller for a key computes the value while later callers for the
    same key wait for it; a computation that raises leaves the key unset so
    that the next caller tries again (and fails in its own detector).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._values: dict[str, Any] = {}

    def get(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._values:
                self._values[key] = compute()
            return cast(T, self._values[key])

    def __contains__(self, key: str) -> bool:
        return key in self._values


class RecentMemos:
    """The memos of the last ``capacity`` images, by a key derived from their bytes.

    Two screens of the same bytes, one after the other or at the same time,
    share one memo. ``capacity`` 0 turns remembering off (every image gets a
    fresh memo).
    """

    def __init__(self, capacity: int = RECENT_IMAGES) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._memos: OrderedDict[str, Memo] = OrderedDict()

    def memo(self, key: str) -> Memo:
        if self.capacity <= 0:
            return Memo()
        with self._lock:
            found = self._memos.get(key)
            if found is not None:
                self._memos.move_to_end(key)
                return found
            found = self._memos[key] = Memo()
            while len(self._memos) > self.capacity:
                self._memos.popitem(last=False)
            return found

    def clear(self) -> None:
        with self._lock:
            self._memos.clear()

    def __len__(self) -> int:
        return len(self._memos)


RECENT = RecentMemos()
"""The process's memory of recent images, used by ``decode_image``."""
