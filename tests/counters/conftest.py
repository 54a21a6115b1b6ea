"""Each ``Buckets`` and ``FloodLog`` backend against its real server: memory, a SQLite file,
Redis, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.counters import Buckets
from consentgate.counters.flood import FloodLog
from consentgate.counters.flood_memory import MemoryFloodLog
from consentgate.counters.flood_postgres import PostgresFloodLog
from consentgate.counters.flood_redis import RedisFloodLog
from consentgate.counters.flood_sqlite import SqliteFloodLog
from consentgate.counters.memory import MemoryBuckets
from consentgate.counters.postgres import PostgresBuckets
from consentgate.counters.redis_buckets import RedisBuckets
from consentgate.counters.sqlite_buckets import SqliteBuckets
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings
from tests.conftest import scratch_database, unique_prefix


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def buckets(request: pytest.FixtureRequest) -> Iterator[Buckets]:
    found: Buckets
    if request.param == "memory":
        found = MemoryBuckets()
    elif request.param == "sqlite":
        db = prepare_store(Settings(database_url=request.getfixturevalue("sqlite_url")))
        yield SqliteBuckets(db)
        db.dispose()
        return
    elif request.param == "redis":
        found = RedisBuckets(request.getfixturevalue("redis_url"), prefix=unique_prefix())
    else:
        db = prepare_store(Settings(database_url=request.getfixturevalue("postgres_url")))
        found = PostgresBuckets(db.engine, prefix=unique_prefix())
    yield found
    found.close()


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def flood_log(request: pytest.FixtureRequest) -> Iterator[FloodLog]:
    """One ``FloodLog`` per backend, each test's keys or rows apart from the others'."""
    yield from open_flood_log(request)


def open_flood_log(request: pytest.FixtureRequest) -> Iterator[FloodLog]:
    found: FloodLog
    if request.param == "memory":
        found = MemoryFloodLog()
    elif request.param == "sqlite":
        db = prepare_store(Settings(database_url=request.getfixturevalue("sqlite_url")))
        yield SqliteFloodLog(db)
        db.dispose()
        return
    elif request.param == "redis":
        found = RedisFloodLog(request.getfixturevalue("redis_url"), prefix=unique_prefix())
    else:
        url = request.getfixturevalue("postgres_url")
        with scratch_database(url, "cg_t") as fresh:  # entry ids of one test only
            db = prepare_store(Settings(database_url=fresh))
            yield PostgresFloodLog(db.engine)
            db.dispose()
        return
    yield found
    found.close()
