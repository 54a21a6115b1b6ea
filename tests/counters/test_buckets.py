"""The ``Buckets`` contract, inherited by every backend (see conftest's ``buckets``)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time

import pytest
from sqlalchemy import create_engine

from consentgate.counters import Buckets, CountersUnavailable
from consentgate.counters.postgres import PostgresBuckets
from consentgate.counters.redis_buckets import RedisBuckets
from consentgate.counters.sqlite_buckets import SqliteBuckets
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings
from consentgate.store.database import Database


@pytest.mark.parametrize(
    ("rate", "burst", "cost", "takes", "granted"),
    [
        (0.001, 5, 1, 8, 5),  # the burst, then empty
        (0.001, 10, 3, 5, 3),  # 3 + 3 + 3, then 1 left: too few for 3
        (0.001, 2, 3, 3, 0),  # a cost over the burst never fits
        (1000.0, 1, 1, 3, 3),  # fast enough to refill between takes (1 ms each)
    ],
)
def test_when_takes_arrive_at_once_then_only_the_burst_is_granted(
    buckets: Buckets, rate: float, burst: int, cost: int, takes: int, granted: int
) -> None:
    answers = []
    for _ in range(takes):
        answers.append(buckets.take("b", rate, burst, cost))
        time.sleep(0.002 if rate > 1 else 0)
    assert sum(wait == 0 for wait in answers) == granted
    assert all(wait > 0 for wait in answers[granted:])


def test_when_a_bucket_is_empty_then_the_wait_is_until_one_token_is_back(
    buckets: Buckets,
) -> None:
    assert buckets.take("b", 0.5, 1) == 0
    wait = buckets.take("b", 0.5, 1)
    assert 1.5 < wait <= 2.0  # one token at 0.5 per second


def test_when_time_passes_then_tokens_come_back(buckets: Buckets) -> None:
    assert buckets.take("b", 20.0, 1) == 0
    assert buckets.take("b", 20.0, 1) > 0
    time.sleep(0.1)
    assert buckets.take("b", 20.0, 1) == 0


def test_when_a_bucket_is_only_peeked_at_then_nothing_is_spent(buckets: Buckets) -> None:
    assert buckets.peek("b", 0.001, 2) == 0  # never seen: full
    assert buckets.take("b", 0.001, 2) == 0
    for _ in range(5):
        assert buckets.peek("b", 0.001, 2) == 0
    assert buckets.take("b", 0.001, 2) == 0
    assert buckets.peek("b", 0.001, 2) > 0


def test_when_ids_differ_then_their_buckets_are_separate(buckets: Buckets) -> None:
    assert buckets.take("a", 0.001, 1) == 0
    assert buckets.take("a", 0.001, 1) > 0
    assert buckets.take("b", 0.001, 1) == 0


def test_when_many_threads_take_at_once_then_exactly_the_burst_is_granted(
    buckets: Buckets,
) -> None:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: buckets.take("b", 0.001, 25), range(100)))
    assert sum(wait == 0 for wait in answers) == 25


@pytest.mark.redis
def test_when_redis_is_down_then_counters_are_unavailable() -> None:
    down = RedisBuckets("redis://127.0.0.1:1/0", timeout_s=0.2)
    with pytest.raises(CountersUnavailable):
        down.take("b", 1.0, 1)
    with pytest.raises(CountersUnavailable):
        down.peek("b", 1.0, 1)


def test_when_the_store_is_down_then_counters_are_unavailable() -> None:
    down = PostgresBuckets(
        create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    )
    with pytest.raises(CountersUnavailable):
        down.take("b", 1.0, 1)


def _granted_in_a_process(url: str, takes: int) -> int:
    db = Database(url)
    try:
        return sum(SqliteBuckets(db).take("shared", 0.001, 25) == 0 for _ in range(takes))
    finally:
        db.dispose()


def test_when_two_processes_share_a_sqlite_store_then_exactly_the_burst_is_granted(
    sqlite_url: str,
) -> None:
    """Two workers of ``serve`` on one SQLite file: one bucket between them, not one each."""
    prepare_store(Settings(database_url=sqlite_url)).dispose()
    fork = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=fork) as pool:
        granted = list(pool.map(_granted_in_a_process, [sqlite_url] * 2, [40, 40]))
    assert sum(granted) == 25


def test_when_another_writer_holds_the_sqlite_store_then_counters_are_unavailable(
    sqlite_url: str,
) -> None:
    db = prepare_store(Settings(database_url=sqlite_url, store_busy_timeout_s=0.2))
    other = Database(sqlite_url, busy_timeout_s=0.2)
    try:
        with other.write(), pytest.raises(CountersUnavailable):
            SqliteBuckets(db).take("b", 1.0, 1)
        assert SqliteBuckets(db).take("b", 1.0, 1) == 0  # and back once it is free
    finally:
        other.dispose()
        db.dispose()
