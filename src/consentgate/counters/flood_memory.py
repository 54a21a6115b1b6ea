"""Flood logs in this worker's memory: the backend of one worker on SQLite."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence

from consentgate.counters.flood import Choose, Seen


class MemoryFloodLog:
    """``FloodLog`` in dicts under one lock; never unavailable.

    Each window is a dict kept in last-seen order (a refreshed member is
    re-inserted), so forgetting the old ones stops at the first recent one.
    """

    name = "memory"

    def __init__(self) -> None:
        self._windows: dict[tuple[int, str], dict[str, float]] = {}
        self._marks: dict[tuple[int, str], float] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()

    def count(self, entry_id: int, now: float, window_s: float, keep: int) -> int:
        with self._lock:
            window = self._window(entry_id, "matches", now - window_s, keep - 1)
            window[str(next(self._ids))] = now
            return len(window)

    def observe(
        self, entry_id: int, now: float, window_s: float, keep: int, choose: Choose
    ) -> Sequence[Seen]:
        with self._lock:
            window = self._window(entry_id, "pairs", now - window_s, keep)
            member = choose([Seen(m, at) for m, at in window.items()])
            window.pop(member, None)
            window[member] = now
            _trim(window, float("-inf"), keep)
            return [Seen(m, at) for m, at in window.items()]

    def claim(self, entry_id: int, mark: str, now: float, ttl_s: float | None) -> bool:
        with self._lock:
            if self._marks.get((entry_id, mark), float("-inf")) > now:
                return False
            self._marks[(entry_id, mark)] = float("inf") if ttl_s is None else now + ttl_s
            return True

    def forget(self, entry_id: int) -> None:
        with self._lock:
            for key in [k for k in (*self._windows, *self._marks) if k[0] == entry_id]:
                self._windows.pop(key, None)
                self._marks.pop(key, None)

    def held(self, entry_id: int) -> int:
        with self._lock:
            return sum(len(w) for (e, _), w in self._windows.items() if e == entry_id)

    def close(self) -> None:
        with self._lock:
            self._windows.clear()
            self._marks.clear()

    def _window(self, entry_id: int, kind: str, cutoff: float, keep: int) -> dict[str, float]:
        window = self._windows.setdefault((entry_id, kind), {})
        _trim(window, cutoff, keep)
        return window


def _trim(window: dict[str, float], cutoff: float, keep: int) -> None:
    """Forget members seen at or before ``cutoff``, then all but the newest ``keep``."""
    for member in list(window):
        if window[member] > cutoff and len(window) <= keep:
            break
        del window[member]
