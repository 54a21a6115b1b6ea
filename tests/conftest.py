"""Shared fixtures: database URLs for SQLite and throw-away PostgreSQL databases, and
the Redis server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

REDIS_URL = os.environ.get("CONSENTGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """Create a uniquely named database next to ``admin_url``'s; drop it afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end.

    Tests run against the real server on 127.0.0.1:5432. Outside CI a missing
    server skips these tests; in CI (CI=true) it fails them.
    """
    try:
        with scratch_database(PG_ADMIN_URL, "cg_test") as url:
            yield url
    except OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc.orig}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis 7 server of the development machines and CI; outside CI a missing
    server skips these tests, in CI (CI=true) it fails them."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    return REDIS_URL


def unique_prefix() -> str:
    """Redis keys of one test only: tests share the server, and run in parallel elsewhere."""
    return f"cg-test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'consentgate.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Runs a test once against SQLite and once against a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'consentgate.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    # A fresh database per test keeps tests independent; cheap on a local server.
    with scratch_database(base, "cg_t") as url:
        yield url
