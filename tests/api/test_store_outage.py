"""A store that cannot serve is a 503 with Retry-After, never a 500 or a hang, and the
service recovers without a restart: PostgreSQL cut off, a full disk and a file locked by
another process under SQLite, each against a real ``consentgate serve``."""

from __future__ import annotations

import json
import resource
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.api.served import Served, served
from tests.api.server import cli, server_env
from tests.conftest import scratch_database, unique_prefix

STORE_UNAVAILABLE = "urn:consentgate:problem:store-unavailable"
NOTICE = {
    "kind": "child_safety",
    "explanation": "This post appears to show the abuse of a child.",
    "items": [{"url": "https://social.example/p/1"}],
    "bona_fide_statement": True,
}
SCREEN = {"mode": "generate", "prompt": "a lighthouse at dusk"}
HANG_GUARD_S = 10.0
"""Far above the default busy timeout (2 s), far below the 20-30 s a lock used to hold."""


def _key(env: dict[str, str], scope: str) -> dict[str, str]:
    made = cli("keys", "create", "--scope", scope, "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


Call = Callable[[httpx.Client], httpx.Response]


def calls(screen: dict[str, str], moderate: dict[str, str]) -> dict[str, Call]:
    """A notice (no key), a screen and a case list (keys looked up in the store)."""
    return {
        "POST /v1/notices": lambda c: c.post("/v1/notices", json=NOTICE),
        "POST /v1/screen": lambda c: c.post("/v1/screen", json=SCREEN, headers=screen),
        "GET /v1/cases": lambda c: c.get("/v1/cases", headers=moderate),
    }


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["type"] == STORE_UNAVAILABLE


def readiness_becomes(client: httpx.Client, status: int, within_s: float = 20) -> httpx.Response:
    deadline = time.monotonic() + within_s
    while True:
        answer = client.get("/readyz")
        if answer.status_code == status or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def assert_recovered(client: httpx.Client, todo: dict[str, Call]) -> None:
    assert readiness_becomes(client, 200).status_code == 200
    for name, call in todo.items():
        answer = call(client)
        assert answer.status_code < 300, f"{name}: {answer.status_code} {answer.text}"


@contextmanager
def server(url: str, tmp_path: Path, **extra: str) -> Iterator[tuple[Served, dict[str, Call]]]:
    env = server_env(url, CONSENTGATE_READY_PROBE_S="0.5", **extra)
    with served(env, tmp_path / "serve.log") as running:
        yield running, calls(_key(env, "screen"), _key(env, "moderate"))


@contextmanager
def cut_off(admin_url: str, name: str) -> Iterator[None]:
    """No connection to database ``name``, new or old, until the block ends."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.redis
def test_when_postgresql_refuses_connections_then_every_route_is_503_until_it_is_back(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    # Counters in Redis, which stays up: the store alone is down.
    redis = {"CONSENTGATE_REDIS_URL": redis_url, "CONSENTGATE_REDIS_PREFIX": unique_prefix()}
    with (
        scratch_database(postgres_url, "cg_outage") as url,
        server(url, tmp_path, **redis) as (running, todo),
        httpx.Client(base_url=running.url, timeout=60) as client,
    ):
        with cut_off(postgres_url, url.rsplit("/", 1)[1]):
            for name, call in todo.items():
                answer = call(client)
                assert_unavailable(answer)
                assert answer.json()["detail"] == "the store is not reachable", name
            ready = client.get("/readyz")
            assert_unavailable(ready)
        assert_recovered(client, todo)


def test_when_the_sqlite_disk_is_full_then_writes_and_readiness_are_503_until_it_has_room(
    sqlite_url: str, tmp_path: Path
) -> None:
    with (
        server(sqlite_url, tmp_path) as (running, todo),
        httpx.Client(base_url=running.url, timeout=60) as client,
    ):
        _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        # No file of the server may grow past one byte: every SQLite write fails
        # as on a full disk (the server ignores SIGXFSZ, so write() says EFBIG).
        resource.prlimit(running.pid, resource.RLIMIT_FSIZE, (1, hard))
        try:
            for name in ("POST /v1/notices", "POST /v1/screen"):
                assert_unavailable(todo[name](client))
            assert todo["GET /v1/cases"](client).status_code == 200  # reads need no room
            ready = readiness_becomes(client, 503)
            assert_unavailable(ready)
            assert "disk" in ready.json()["detail"]
        finally:
            resource.prlimit(running.pid, resource.RLIMIT_FSIZE, (hard, hard))
        assert_recovered(client, todo)


def test_when_another_process_locks_the_sqlite_file_then_a_write_is_503_within_bounds(
    sqlite_url: str, tmp_path: Path
) -> None:
    with (
        server(sqlite_url, tmp_path) as (running, todo),
        httpx.Client(base_url=running.url, timeout=60) as client,
    ):
        holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            for name in ("POST /v1/notices", "POST /v1/screen"):
                started = time.monotonic()
                answer = todo[name](client)
                assert time.monotonic() - started < HANG_GUARD_S, name
                assert_unavailable(answer)
                assert answer.json()["detail"] == "the store is locked by another writer"
            assert todo["GET /v1/cases"](client).status_code == 200  # WAL: readers go on
            ready = readiness_becomes(client, 503)
            assert_unavailable(ready)
            assert "locked" in ready.json()["detail"]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert_recovered(client, todo)
