"""Token buckets with a fake clock: no wall-clock assertions."""

from __future__ import annotations

import pytest

from consentgate.api.ratelimit import KeyRateLimited, RateLimiter
from consentgate.counters import CountersUnavailable
from consentgate.counters.memory import MemoryBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("rate", "burst", "calls", "allowed"),
    [
        (1.0, 3, 5, 3),  # the burst, then empty
        (10.0, 1, 4, 1),
        (0.0, 1, 50, 50),  # 0 turns limiting off
    ],
)
def test_when_calls_arrive_at_once_then_only_the_burst_passes(
    rate: float, burst: int, calls: int, allowed: int
) -> None:
    limiter = RateLimiter(rate, burst, clock=Clock())
    passed = 0
    for _ in range(calls):
        try:
            limiter.check("k")
            passed += 1
        except KeyRateLimited:
            pass
    assert passed == allowed


def test_when_time_passes_then_tokens_refill_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(2.0, 1, clock=clock)
    limiter.check("k")
    with pytest.raises(KeyRateLimited) as caught:
        limiter.check("k")
    assert caught.value.retry_after_s == 1
    clock.now += 0.5
    limiter.check("k")


def test_when_a_key_has_its_own_rate_then_it_overrides_the_default() -> None:
    limiter = RateLimiter(1.0, 1, clock=Clock())
    for _ in range(10):
        limiter.check("unlimited", 0)
    limiter.check("a")
    with pytest.raises(KeyRateLimited):
        limiter.check("a")
    limiter.check("b")  # buckets are per key


def test_when_a_bucket_is_only_looked_at_then_no_token_is_spent() -> None:
    clock = Clock()
    limiter = RateLimiter(1.0, 2, clock=clock)
    limiter.ensure_open("addr")  # no bucket yet: open
    limiter.check("addr")
    for _ in range(5):
        limiter.ensure_open("addr")  # one token left, never spent by looking
    limiter.check("addr")
    with pytest.raises(KeyRateLimited) as caught:
        limiter.ensure_open("addr")
    assert caught.value.retry_after_s == 1
    clock.now += 1.0
    limiter.ensure_open("addr")


def test_when_callers_make_up_ids_then_the_buckets_stay_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1.0, 1, max_buckets=100, clock=clock)
    for i in range(1_000):
        limiter.check(f"addr-{i}")  # every bucket is empty: the oldest are forgotten
        clock.now += 0.001
    assert isinstance(limiter.buckets, MemoryBuckets)
    assert len(limiter.buckets._buckets) <= 100
    clock.now += 10  # all refilled: pruning drops them
    limiter.check("late")
    assert len(limiter.buckets._buckets) <= 2


class Down:
    """Counters that cannot be reached (Redis or the store is down)."""

    name = "down"

    def take(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        raise CountersUnavailable("Redis is not reachable")

    def peek(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        raise CountersUnavailable("Redis is not reachable")

    def close(self) -> None:
        """Nothing to close."""


@pytest.mark.parametrize(
    ("fail_open", "spends", "refused"),
    [
        (True, True, False),  # the key rate limit: a known key keeps working
        (False, True, True),  # notices, failed authentications, cases: 503
        (False, False, False),  # only looking: the spend that follows decides
    ],
)
def test_when_the_counters_are_down_then_each_limiter_fails_as_documented(
    fail_open: bool, spends: bool, refused: bool
) -> None:
    limiter = RateLimiter(1.0, 1, buckets=Down(), fail_open=fail_open)
    ask = limiter.check if spends else limiter.ensure_open
    if refused:
        with pytest.raises(CountersUnavailable) as caught:
            ask("addr")
        assert caught.value.http_status == 503
    else:
        ask("addr")
