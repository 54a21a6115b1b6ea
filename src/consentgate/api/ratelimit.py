"""Token buckets per key (requests) and per client address (failed authentications),
held in each worker's memory.

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
    """One bucket per id (a key id, or a client address); a rate of 0 turns limiting off.

    Buckets that have refilled are dropped once there are more than ``max_buckets``
    (a full bucket is the same as none), so ids that callers make up, such as
    addresses, cannot grow a worker's memory without bound.
    """

    def __init__(
        self,
        default_rate: float,
        burst: int,
        *,
        what: str = "this key",
        max_buckets: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_rate = default_rate
        self.burst = burst
        self.what = what
        self.max_buckets = max_buckets
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
                if len(self._buckets) >= self.max_buckets:
                    self._prune(now)
                capacity = float(max(self.burst, 1))
                bucket = TokenBucket(rate=rate, capacity=capacity, tokens=capacity, updated=now)
                self._buckets[key_id] = bucket
            wait = bucket.take(now)
        if wait > 0:
            raise self._limited(rate, wait)

    def ensure_open(self, key_id: str) -> None:
        """Raise KeyRateLimited if ``key_id``'s bucket is empty, without spending a token."""
        rate = self.default_rate
        if rate <= 0:
            return
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None:
                return
            tokens = min(bucket.capacity, bucket.tokens + (now - bucket.updated) * bucket.rate)
        if tokens < 1.0:
            raise self._limited(bucket.rate, (1.0 - tokens) / bucket.rate)

    def _limited(self, rate: float, wait: float) -> KeyRateLimited:
        return KeyRateLimited(
            f"rate limit of {rate:g} requests/s for {self.what} exceeded",
            retry_after_s=max(1, math.ceil(wait)),
        )

    def _prune(self, now: float) -> None:
        full = [
            name
            for name, b in self._buckets.items()
            if b.tokens + (now - b.updated) * b.rate >= b.capacity
        ]
        for name in full:
            del self._buckets[name]
        if len(self._buckets) >= self.max_buckets:  # all busy: forget the oldest
            oldest = sorted(self._buckets, key=lambda n: self._buckets[n].updated)
            for name in oldest[: len(oldest) // 2]:
                del self._buckets[name]
