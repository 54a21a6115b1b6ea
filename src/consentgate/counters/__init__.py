"""Counters shared by every worker: token buckets behind one small interface.

Why one interface: a limit that lives in one worker's memory lets N workers
admit N times the limit, so the key rate limit, the failed-authentication and
notice buckets and the per-address case cap all spend tokens through
``Buckets``. Four backends keep the same contract (``tests/counters``): Redis
when ``CONSENTGATE_REDIS_URL`` is set, else the store (PostgreSQL, or the SQLite
file several workers of one ``serve`` share), and, for one worker on SQLite,
that worker's memory.
"""

from __future__ import annotations

from typing import Protocol

from consentgate.errors import NotReady


class CountersUnavailable(NotReady):
    """The shared counters cannot be reached (Redis or the store is down): 503."""

    title = "Counters unavailable"
    retry_after_s = 5


class Buckets(Protocol):
    """Token buckets by id: ``burst`` tokens at most, refilled at ``rate`` per second.

    ``take`` spends ``cost`` tokens when that many are there and answers 0, or
    spends nothing and answers the seconds until they will be; ``peek`` answers
    the same without spending. Both raise ``CountersUnavailable`` when the
    backend cannot be reached. A bucket never seen is full.
    """

    name: str

    def take(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float: ...

    def peek(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float: ...

    def close(self) -> None: ...


def wait_for(tokens: float, rate: float, burst: int, cost: int) -> float:
    """Seconds until a bucket holding ``tokens`` holds ``cost``; a cost over the burst
    never fits, and its caller is told to wait one full refill."""
    if cost > burst:
        return burst / rate
    return max(0.0, (cost - tokens) / rate)
