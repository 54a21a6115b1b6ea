"""Per-key token buckets, held in each worker's memory.

Why per worker: a shared limiter would put a network round trip (or a lock in
the store) on every request. With N workers behind a load balancer a key may
therefore get up to N times its rate; the service documents this, and a
gateway in front can enforce a global limit when one is needed.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from consentgate.errors import RateLimited


class KeyRateLimited(RateLimited):
    """Raised when a key's bucket is empty; ``retry_after_s`` feeds Retry-After."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is free."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    """One bucket per key id; a rate of 0 turns limiting off for that key."""

    def __init__(
        self,
        default_rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_rate = default_rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, key_id: str, rate: float | None = None) -> None:
        """Spend one token of ``key_id``'s bucket or raise KeyRateLimited."""
        rate = self.default_rate if rate is None else rate
        if rate <= 0:
            return
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None or bucket.rate != rate:
                capacity = float(max(self.burst, 1))
                bucket = TokenBucket(rate=rate, capacity=capacity, tokens=capacity, updated=now)
                self._buckets[key_id] = bucket
            wait = bucket.take(now)
        if wait > 0:
            raise KeyRateLimited(
                f"rate limit of {rate:g} requests/s for this key exceeded",
                retry_after_s=max(1, math.ceil(wait)),
            )
