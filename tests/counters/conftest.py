"""Each ``Buckets`` backend against its real server: memory, Redis, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.counters import Buckets
from consentgate.counters.memory import MemoryBuckets
from consentgate.counters.postgres import PostgresBuckets
from consentgate.counters.redis_buckets import RedisBuckets
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings
from tests.conftest import unique_prefix


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def buckets(request: pytest.FixtureRequest) -> Iterator[Buckets]:
    found: Buckets
    if request.param == "memory":
        found = MemoryBuckets()
    elif request.param == "redis":
        found = RedisBuckets(request.getfixturevalue("redis_url"), prefix=unique_prefix())
    else:
        db = prepare_store(Settings(database_url=request.getfixturevalue("postgres_url")))
        found = PostgresBuckets(db.engine, prefix=unique_prefix())
    yield found
    found.close()
