"""Flood protection: protected entries alert and keep matching; others count distinct content;
workers sharing one flood log (memory, Redis, PostgreSQL) count together."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.banks.flood import CLUSTER_BITS, FloodEvent, FloodGuard, Query
from consentgate.banks.index.codes import codes_to_hex, hex_to_codes
from consentgate.counters.flood import FloodLog
from consentgate.counters.flood_redis import RedisFloodLog
from tests.banks.conftest import near, random_pdq
from tests.counters.conftest import open_flood_log


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(
    guard: FloodGuard, kind: str, query: Query, *, limit: int = 3, window: float = 60
) -> FloodEvent | None:
    return guard.record(7, bank="b", bank_kind=kind, limit=limit, window_s=window, query=query)


@pytest.mark.parametrize("kind", ["ncii", "csam", "consent", "takedown"])
def test_when_a_protected_entry_floods_then_it_alerts_once_per_window_and_never_trips(
    kind: str,
) -> None:
    clock = Clock()
    guard = FloodGuard(clock)
    same = Query(md5="a" * 32, pdq=random_pdq(1), client="attacker")
    events = []
    for _ in range(2000):
        clock.now += 0.01
        events.append(record(guard, kind, same))
    raised = [e for e in events if e is not None]
    assert len(raised) == 1  # 2,000 matches in 20 s: one alert in the 60 s window
    assert raised[0].protected and "keeps matching" in raised[0].reason
    clock.now += 61
    later = [record(guard, kind, same) for _ in range(5)]
    assert [e is not None for e in later] == [False, False, False, True, False]


def test_when_a_protected_entry_is_counted_then_memory_stays_bounded() -> None:
    guard = FloodGuard(Clock())
    for _ in range(10_000):
        record(guard, "ncii", Query(md5="a" * 32), limit=50)
    assert guard.log.held(7) <= 51


def test_when_the_same_bytes_are_sent_again_and_again_then_an_unprotected_entry_holds() -> None:
    guard = FloodGuard(Clock())
    same = Query(md5="b" * 32, pdq=random_pdq(2), client="k1")
    assert all(record(guard, "custom", same) is None for _ in range(5000))
    assert guard.log.held(7) == 1  # one client, one cluster


def test_when_near_duplicates_are_sent_then_they_count_as_one_image() -> None:
    guard = FloodGuard(Clock())
    base = random_pdq(3)
    for seed in range(50):  # re-encodings: new MD5s, PDQs within the cluster radius
        query = Query(md5=f"{seed:032x}", pdq=near(base, CLUSTER_BITS // 2, seed=seed))
        assert record(guard, "custom", query) is None
    assert guard.log.held(7) == 1


def test_when_distinct_images_pass_the_limit_then_an_unprotected_entry_trips_once() -> None:
    guard = FloodGuard(Clock())
    base = random_pdq(4)
    events = [
        record(guard, "custom", Query(md5=f"{s:032x}", pdq=near(base, 60, seed=s)))
        for s in range(6)
    ]
    assert [e is not None for e in events] == [False, False, False, True, False, False]
    event = events[3]
    assert event is not None and not event.protected
    assert event.contents == 4 and event.clients == 1
    assert "4 distinct images from 1 client(s)" in event.reason


def test_when_one_client_sends_many_images_and_two_are_required_then_no_trip() -> None:
    guard = FloodGuard(Clock(), min_clients=2)
    base = random_pdq(5)
    queries = [Query(md5=f"{s:032x}", pdq=near(base, 60, seed=s), client="k1") for s in range(50)]
    assert all(record(guard, "custom", q) is None for q in queries)
    assert guard.log.held(7) <= 5  # one client: limit + 1 clusters, plus one overflow
    other = Query(md5="f" * 32, pdq=near(base, 60, seed=99), client="k2")
    event = record(guard, "custom", other)
    assert event is not None and event.clients == 2


def test_when_images_leave_the_window_then_they_are_forgotten() -> None:
    clock = Clock()
    guard = FloodGuard(clock)
    base = random_pdq(6)
    for s in range(3):
        record(guard, "custom", Query(md5=f"{s:032x}", pdq=near(base, 60, seed=s)))
    clock.now += 61
    assert record(guard, "custom", Query(md5="e" * 32, pdq=near(base, 60, seed=7))) is None
    assert guard.log.held(7) == 1


def test_when_reset_after_a_trip_then_counting_starts_again() -> None:
    guard = FloodGuard(Clock())
    base = random_pdq(8)
    queries = [Query(md5=f"{s:032x}", pdq=near(base, 60, seed=s)) for s in range(8)]
    assert sum(record(guard, "custom", q) is not None for q in queries[:4]) == 1
    assert record(guard, "custom", queries[4]) is None  # tripped: left alone
    guard.reset(7)
    assert sum(record(guard, "custom", q) is not None for q in queries[4:]) == 1


def test_when_no_limit_then_nothing_is_counted() -> None:
    guard = FloodGuard(Clock())
    assert guard.record(7, bank="b", bank_kind="custom", limit=None, window_s=60) is None
    assert guard.log.held(7) == 0


def test_near_helper_really_moves_pdqs_apart() -> None:
    base = random_pdq(9)
    a, b = hex_to_codes([near(base, 60, seed=1), near(base, 60, seed=2)])
    assert bin(int.from_bytes(bytes(a ^ b), "big")).count("1") > CLUSTER_BITS
    assert codes_to_hex(hex_to_codes([base]))[0] == base


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def flood_log(request: pytest.FixtureRequest) -> Iterator[FloodLog]:
    yield from open_flood_log(request)


def two_workers(log: FloodLog, clock: Clock, *, min_clients: int = 1) -> list[FloodGuard]:
    """Two workers' guards over one shared log (as two processes over one Redis or store)."""
    return [FloodGuard(clock, min_clients=min_clients, log=log) for _ in range(2)]


def test_when_two_workers_share_a_protected_entrys_matches_then_one_alert_when_the_total_passes(
    flood_log: FloodLog,
) -> None:
    clock = Clock()
    workers = two_workers(flood_log, clock)
    same = Query(md5="a" * 32, pdq=random_pdq(10), client="attacker")
    events = []
    for n in range(16):  # 8 each: each worker alone stays under the limit of 10
        clock.now += 0.01
        events.append(record(workers[n % 2], "ncii", same, limit=10))
    assert [n for n, e in enumerate(events) if e is not None] == [10]  # the 11th, once


@pytest.mark.parametrize(
    ("kind", "min_clients", "trips"),
    [("custom", 1, True), ("negative", 2, True), ("custom", 3, False)],
)
def test_when_two_workers_see_distinct_images_then_they_count_together(
    flood_log: FloodLog, kind: str, min_clients: int, trips: bool
) -> None:
    clock = Clock()
    workers = two_workers(flood_log, clock, min_clients=min_clients)
    base = random_pdq(11)
    events = []
    for s in range(6):  # 3 distinct images each, from two keys: 6 > limit 4
        query = Query(md5=f"{s:032x}", pdq=near(base, 60, seed=s), client=f"k{s % 2}")
        clock.now += 1
        events.append(record(workers[s % 2], kind, query, limit=4))
        events.append(record(workers[s % 2], kind, query, limit=4))  # a repeat counts once
    raised = [e for e in events if e is not None]
    assert len(raised) == (1 if trips else 0)
    if trips:
        assert raised[0].contents == 5 and raised[0].clients == 2
        assert events.index(raised[0]) == 8  # the fifth distinct image, on the first worker


def test_when_one_worker_resets_an_entry_then_the_other_counts_it_afresh(
    flood_log: FloodLog,
) -> None:
    clock = Clock()
    first, second = two_workers(flood_log, clock)
    base = random_pdq(12)
    queries = [Query(md5=f"{s:032x}", pdq=near(base, 60, seed=s)) for s in range(8)]
    assert sum(record(first, "custom", q) is not None for q in queries[:4]) == 1
    assert record(second, "custom", queries[4]) is None  # tripped everywhere
    first.reset(7)
    assert sum(record(second, "custom", q) is not None for q in queries[4:]) == 1


def test_when_the_shared_counts_cannot_be_reached_then_the_match_is_not_counted() -> None:
    guard = FloodGuard(Clock(), log=RedisFloodLog("redis://127.0.0.1:1/0", timeout_s=0.2))
    assert record(guard, "ncii", Query(md5="a" * 32), limit=0) is None
    assert record(guard, "custom", Query(md5="a" * 32), limit=0) is None
