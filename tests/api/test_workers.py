"""How many workers ``serve`` starts, where their counters live, and how it keeps them running."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from consentgate import settings as settings_module
from consentgate.api.asgi import forked_worker_app
from consentgate.counters.choose import check_counters, open_buckets, open_flood_log
from consentgate.errors import ConfigError
from consentgate.service.wiring import prepare_store
from consentgate.settings import Settings, load_settings
from tests.api.server import server_env, serving_process


def test_when_workers_are_not_set_then_there_is_one_per_usable_core() -> None:
    assert Settings().workers is None
    assert Settings().worker_count == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 2), (16, 16), (200, 64)])
def test_when_the_machine_has_many_cores_then_the_default_is_capped_at_64(
    monkeypatch: pytest.MonkeyPatch, cores: int, expected: int
) -> None:
    monkeypatch.setattr(settings_module, "usable_cores", lambda: cores)
    assert Settings().worker_count == expected


def test_when_workers_are_set_then_they_win_over_the_core_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings_module, "usable_cores", lambda: 8)
    assert Settings(workers=3).worker_count == 3
    monkeypatch.setenv("CONSENTGATE_WORKERS", "1")
    assert load_settings().worker_count == 1


@pytest.mark.parametrize("value", ["0", "65", "two"])
def test_when_workers_are_out_of_bounds_then_settings_fail_naming_them(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CONSENTGATE_WORKERS", value)
    with pytest.raises(ConfigError, match="CONSENTGATE_WORKERS"):
        load_settings()


@pytest.mark.parametrize(
    ("workers", "redis", "buckets", "flood"),
    [
        (1, False, "memory", "memory"),  # one worker: no write per request
        (2, False, "sqlite", "sqlite"),  # several: the file they share
        (2, True, "redis", "redis"),
        (1, True, "redis", "redis"),
    ],
)
def test_when_the_store_is_sqlite_then_the_counters_live_where_every_worker_sees_them(
    sqlite_url: str, redis_url: str, workers: int, redis: bool, buckets: str, flood: str
) -> None:
    settings = Settings(
        database_url=sqlite_url, workers=workers, redis_url=redis_url if redis else None
    )
    db = prepare_store(settings)
    try:
        found_buckets, found_flood = open_buckets(settings, db), open_flood_log(settings, db)
        assert (found_buckets.name, found_flood.name) == (buckets, flood)
        found_buckets.close()
        found_flood.close()
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("url", "workers", "refused"),
    [
        ("sqlite://", 2, True),
        ("sqlite:///:memory:", 4, True),
        ("sqlite://", 1, False),
        ("sqlite:///var/consentgate.db", 2, False),
        ("postgresql+psycopg://u@127.0.0.1/db", 2, False),
    ],
)
def test_when_several_workers_would_each_open_their_own_store_then_serve_refuses(
    url: str, workers: int, refused: bool
) -> None:
    settings = Settings(database_url=url)
    if refused:
        with pytest.raises(ConfigError, match="in-memory SQLite"):
            check_counters(settings, workers=workers)
    else:
        check_counters(settings, workers=workers)


def test_when_a_forked_worker_starts_then_it_is_loaded_before_its_first_request(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSENTGATE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CONSENTGATE_DETECTORS", "hash_match")
    app = forked_worker_app()
    with TestClient(app) as client:  # uvicorn, too, serves only after the start-up
        runtime = app.state.runtime
        assert runtime.services is not None and runtime.failure is None
        assert client.get("/readyz").status_code == 200


def _children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _wait_for(what: str, check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not callable(check) or not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
def test_when_serve_starts_by_default_then_each_core_has_a_worker_and_a_dead_one_is_replaced(
    sqlite_url: str,
) -> None:
    env = server_env(sqlite_url)
    env.pop("CONSENTGATE_WORKERS", None)
    env.pop("CONSENTGATE_REDIS_URL", None)
    cores = len(os.sched_getaffinity(0))
    with serving_process(env) as (url, proc):
        # One worker answered ready: every one does, since none accepts before it is loaded.
        assert _all_ready(url)
        _wait_for(f"{cores} workers", lambda: len(_children(proc.pid)) == cores)
        first = _children(proc.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        _wait_for(
            "a replacement",
            lambda: len(_children(proc.pid)) == cores and victim not in _children(proc.pid),
        )
        _wait_for("every worker ready", lambda: _all_ready(url))
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    for pid in workers:  # no worker outlives serve
        assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)


def _all_ready(url: str) -> bool:
    """Twenty fresh connections in a row answered ready (the kernel spreads them over workers)."""
    for _ in range(20):
        with httpx.Client() as client:
            if client.get(url + "/readyz").status_code != 200:
                return False
    return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True
