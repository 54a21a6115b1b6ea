"""Token buckets per key (requests), per client address (failed authentications,
notices, cases opened), kept in the counters every worker shares.

Why shared: a limit held in each worker's memory lets N workers admit N times
the limit, and an attacker who spreads requests over connections gets them
all. The buckets live in Redis (``CONSENTGATE_REDIS_URL``) or the store
(``consentgate.counters``: PostgreSQL, or the SQLite file several workers
share); only one worker on SQLite keeps them in its memory.

When the counters cannot be reached a limiter either fails closed (503 with
Retry-After: the failed-authentication, notice and case buckets, which guard
routes anyone may call; a look that spends nothing lets the request on to the
spend that decides) or fails open (the key rate limit: a known key keeps
working; a warning is logged). Each such check is counted in
``consentgate_counters_unavailable_total``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from consentgate.counters import Buckets, CountersUnavailable
from consentgate.counters.memory import MemoryBuckets
from consentgate.errors import RateLimited

log = logging.getLogger(__name__)

Spend = Callable[[str, float, int, int], float]
"""``Buckets.take`` or ``Buckets.peek``."""


class KeyRateLimited(RateLimited):
    """Raised when a key's bucket is empty; ``retry_after_s`` feeds Retry-After."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RateLimiter:
    """One bucket per id (a key id, or a client address) under ``name``; a rate of 0
    turns limiting off. ``buckets`` defaults to this worker's memory."""

    def __init__(
        self,
        default_rate: float,
        burst: int,
        *,
        what: str = "this key",
        name: str = "key",
        buckets: Buckets | None = None,
        fail_open: bool = False,
        on_outage: Callable[[str, bool], None] | None = None,
        max_buckets: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_rate = default_rate
        self.burst = max(burst, 1)
        self.what = what
        self.name = name
        self.fail_open = fail_open
        self.on_outage = on_outage  # (limit name, passed): a metric counts each outage
        self.buckets = buckets or MemoryBuckets(max_buckets=max_buckets, clock=clock)
        self._warned = -math.inf

    def check(self, key_id: str, rate: float | None = None, *, cost: int = 1) -> None:
        """Spend ``cost`` tokens of ``key_id``'s bucket or raise KeyRateLimited."""
        rate = self.default_rate if rate is None else rate
        if rate <= 0:
            return
        wait = self._ask(self.buckets.take, key_id, rate, cost)
        if wait > 0:
            raise self._limited(rate, wait)

    def ensure_open(self, key_id: str) -> None:
        """Raise KeyRateLimited if ``key_id``'s bucket is empty, without spending a token.

        Looking is never refused for an outage: the spend that follows (``check``) is.
        """
        if self.default_rate <= 0:
            return
        wait = self._ask(self.buckets.peek, key_id, self.default_rate, 1, fail_open=True)
        if wait > 0:
            raise self._limited(self.default_rate, wait)

    def _ask(
        self, how: Spend, key_id: str, rate: float, cost: int, *, fail_open: bool = False
    ) -> float:
        try:
            return how(f"{self.name}:{key_id}", rate, self.burst, cost)
        except CountersUnavailable:
            passed = self.fail_open or fail_open
            if self.on_outage is not None:
                self.on_outage(self.name, passed)
            if not passed:
                raise
            if time.monotonic() - self._warned > 10:
                self._warned = time.monotonic()
                log.warning("counters unreachable: the %s limit is not enforced", self.name)
            return 0.0

    def _limited(self, rate: float, wait: float) -> KeyRateLimited:
        return KeyRateLimited(
            f"rate limit of {rate:g} per second for {self.what} exceeded",
            retry_after_s=max(1, math.ceil(wait)),
        )
