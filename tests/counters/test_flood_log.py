"""The ``FloodLog`` contract, inherited by every backend (see conftest's ``flood_log``)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Sequence

import pytest
import redis
from sqlalchemy import create_engine

from consentgate.counters import CountersUnavailable
from consentgate.counters.flood import FloodLog, Seen
from consentgate.counters.flood_postgres import PostgresFloodLog
from consentgate.counters.flood_redis import RedisFloodLog
from consentgate.counters.flood_sqlite import SqliteFloodLog
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings
from consentgate.store.database import Database
from tests.conftest import unique_prefix

T0 = 1_700_000_000.0


def new_member(window: Sequence[Seen]) -> str:
    return f"m{len(window)}"


@pytest.mark.parametrize(
    ("times", "window_s", "keep", "counts"),
    [
        ([0, 1, 2, 3], 60, 10, [1, 2, 3, 4]),  # all within the window
        ([0, 1, 2, 3, 4, 5], 60, 3, [1, 2, 3, 3, 3, 3]),  # only the newest ``keep``
        ([0, 10, 20, 30], 15, 10, [1, 2, 2, 2]),  # at or before now - window: forgotten
        ([0, 10, 70], 60, 10, [1, 2, 1]),  # at 70, 10 is exactly one window old: gone
    ],
)
def test_when_matches_are_counted_then_only_the_window_and_the_newest_keep_remain(
    flood_log: FloodLog, times: list[float], window_s: float, keep: int, counts: list[int]
) -> None:
    answers = [flood_log.count(7, T0 + t, window_s, keep) for t in times]
    assert answers == counts


def test_when_a_member_is_observed_again_then_it_is_refreshed_not_added(
    flood_log: FloodLog,
) -> None:
    flood_log.observe(7, T0, 60, 10, lambda w: "a")
    flood_log.observe(7, T0 + 1, 60, 10, lambda w: "b")
    after = flood_log.observe(7, T0 + 2, 60, 10, lambda w: "a")
    assert [(s.member, s.at) for s in after] == [("b", T0 + 1), ("a", T0 + 2)]


def test_when_choose_runs_then_it_sees_the_window_oldest_first_without_old_members(
    flood_log: FloodLog,
) -> None:
    seen: list[list[str]] = []

    def choose(window: Sequence[Seen]) -> str:
        seen.append([s.member for s in window])
        return new_member(window)

    for t in (0, 1, 2, 50):
        flood_log.observe(7, T0 + t, 30, 10, choose)
    assert seen == [[], ["m0"], ["m0", "m1"], []]


def test_when_more_members_than_keep_then_the_oldest_are_forgotten(flood_log: FloodLog) -> None:
    for n in range(8):
        after = flood_log.observe(7, T0 + n, 60, 3, lambda w, n=n: f"x{n}")  # type: ignore[misc]
    assert [s.member for s in after] == ["x5", "x6", "x7"]
    assert flood_log.held(7) == 3


def test_when_workers_observe_at_once_then_each_chooses_on_the_whole_window(
    flood_log: FloodLog,
) -> None:
    """Each choice must see every earlier one: 40 concurrent observations, 40 members."""
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: flood_log.observe(7, T0 + n / 100, 60, 100, new_member), range(40)))
    assert flood_log.held(7) == 40


@pytest.mark.parametrize(
    ("ttl_s", "later", "again"),
    [(60.0, 30.0, False), (60.0, 61.0, True), (None, 1e6, False)],
)
def test_when_a_mark_is_claimed_then_only_the_first_claim_in_its_time_wins(
    flood_log: FloodLog, ttl_s: float | None, later: float, again: bool
) -> None:
    assert flood_log.claim(7, "alert", T0, ttl_s) is True
    assert flood_log.claim(7, "alert", T0 + 1, ttl_s) is False
    assert flood_log.claim(7, "alert", T0 + later, ttl_s) is again
    assert flood_log.claim(8, "alert", T0 + 1, ttl_s) is True  # another entry
    assert flood_log.claim(7, "other", T0 + 1, ttl_s) is True  # another mark


def test_when_many_threads_claim_at_once_then_exactly_one_wins(flood_log: FloodLog) -> None:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda _: flood_log.claim(7, "alert", T0, 60), range(40)))
    assert won.count(True) == 1


def test_when_an_entry_is_forgotten_then_its_windows_and_marks_are_gone(
    flood_log: FloodLog,
) -> None:
    flood_log.count(7, T0, 60, 10)
    flood_log.observe(7, T0, 60, 10, new_member)
    flood_log.claim(7, "tripped", T0, None)
    flood_log.count(8, T0, 60, 10)
    flood_log.forget(7)
    assert flood_log.held(7) == 0
    assert flood_log.claim(7, "tripped", T0, None) is True
    assert flood_log.held(8) == 1


@pytest.mark.redis
def test_when_redis_is_down_then_the_flood_log_is_unavailable() -> None:
    down = RedisFloodLog("redis://127.0.0.1:1/0", timeout_s=0.2)
    with pytest.raises(CountersUnavailable):
        down.count(7, T0, 60, 10)
    with pytest.raises(CountersUnavailable):
        down.observe(7, T0, 60, 10, new_member)


def test_when_the_store_is_down_then_the_flood_log_is_unavailable() -> None:
    down = PostgresFloodLog(
        create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    )
    with pytest.raises(CountersUnavailable):
        down.claim(7, "alert", T0, 60)


def test_when_another_writer_holds_the_sqlite_store_then_the_flood_log_is_unavailable(
    sqlite_url: str,
) -> None:
    db = prepare_store(Settings(database_url=sqlite_url, store_busy_timeout_s=0.2))
    other = Database(sqlite_url, busy_timeout_s=0.2)
    try:
        with other.write(), pytest.raises(CountersUnavailable):
            SqliteFloodLog(db).count(7, T0, 60, 10)
        assert SqliteFloodLog(db).count(7, T0, 60, 10) == 1
    finally:
        other.dispose()
        db.dispose()


@pytest.mark.redis
def test_when_redis_holds_marks_then_the_key_expires_unless_a_mark_never_lapses(
    redis_url: str,
) -> None:
    log = RedisFloodLog(redis_url, prefix=unique_prefix())
    client = redis.Redis.from_url(redis_url)
    key = f"{log.prefix}flood:7:marks"
    try:
        assert log.claim(7, "alert", T0, 60)
        assert 0 < client.pttl(key) <= 61_000
        assert log.claim(7, "tripped", T0, None)
        assert client.pttl(key) == -1  # "tripped" stays until the entry is reinstated
        log.forget(7)
        assert client.exists(key) == 0
    finally:
        client.close()
        log.close()
