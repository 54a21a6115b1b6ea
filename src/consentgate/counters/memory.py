"""Token buckets in this worker's memory: the backend of one worker on SQLite.

Buckets that have refilled are dropped once there are more than ``max_buckets``
(a full bucket is the same as none), so ids that callers make up, such as
addresses, cannot grow a worker's memory without bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from consentgate.counters import wait_for


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> float:
        return min(self.capacity, self.tokens + max(0.0, now - self.updated) * self.rate)


class MemoryBuckets:
    """``Buckets`` held in a dict under a lock; never unavailable."""

    name = "memory"

    def __init__(
        self, *, max_buckets: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_buckets = max_buckets
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        now = self._clock()
        with self._lock:
            found = self._buckets.get(bucket)
            if found is None or found.rate != rate or found.capacity != burst:
                if len(self._buckets) >= self.max_buckets:
                    self._prune(now)
                found = TokenBucket(rate=rate, capacity=float(burst), tokens=burst, updated=now)
                self._buckets[bucket] = found
            found.tokens, found.updated = found.refill(now), now
            if found.tokens >= cost:
                found.tokens -= cost
                return 0.0
            return wait_for(found.tokens, rate, burst, cost)

    def peek(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        now = self._clock()
        with self._lock:
            found = self._buckets.get(bucket)
            if found is None:
                return wait_for(float(burst), rate, burst, cost)
            tokens = found.refill(now)
        return 0.0 if tokens >= cost else wait_for(tokens, rate, burst, cost)

    def close(self) -> None:
        self._buckets.clear()

    def _prune(self, now: float) -> None:
        full = [name for name, b in self._buckets.items() if b.refill(now) >= b.capacity]
        for name in full:
            del self._buckets[name]
        if len(self._buckets) >= self.max_buckets:  # all busy: forget the oldest
            oldest = sorted(self._buckets, key=lambda n: self._buckets[n].updated)
            for name in oldest[: len(oldest) // 2]:
                del self._buckets[name]
