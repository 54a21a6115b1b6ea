"""Flood protection: an entry that suddenly matches far more than usual is paused.

Exchanged banks contain entries that are not what they claim (a meme, a logo, a
corrupt or near-blank hash; see ThreatExchange issues #1609 and #1873). Such an
entry matches everything that looks like it and can take a service down with
false blocks. When an entry's matches within a window pass its bank's limit,
the guard reports it once; the matcher quarantines it (paused and flagged for
review) in the store, so every worker stops matching it.

Counting is per process (each worker sees its share of traffic), and only
entries that matched are tracked, so memory stays proportional to hits.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class FloodGuard:
    """Sliding-window match counts per entry; returns entries that just crossed their limit."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._tripped: set[int] = set()
        self._lock = threading.Lock()

    def record(self, entry_id: int, limit: int | None, window_s: float) -> bool:
        """Count one match; True exactly once, when the entry exceeds ``limit`` in the window."""
        if limit is None:
            return False
        now = self._clock()
        with self._lock:
            if entry_id in self._tripped:
                return False
            times = self._hits.setdefault(entry_id, deque())
            times.append(now)
            while times and times[0] <= now - window_s:
                times.popleft()
            if len(times) > limit:
                self._tripped.add(entry_id)
                del self._hits[entry_id]
                return True
            return False

    def reset(self, entry_id: int) -> None:
        """Forget an entry's history (after a reviewer reinstates it)."""
        with self._lock:
            self._tripped.discard(entry_id)
            self._hits.pop(entry_id, None)
