"""Anonymous floods of the child-safety queue, forged addresses, and limits across workers,
each against a real ``consentgate serve`` in a subprocess."""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.server import cli, free_port, server_env, serving
from tests.conftest import scratch_database, unique_prefix

FLOODERS = 30
"""Addresses of the flood (a botnet), each sending what the caps let through."""


def report(n: int, items: int, **extra: Any) -> dict[str, Any]:
    """An anonymous child-safety notice of ``items`` items."""
    return {
        "kind": "child_safety",
        "explanation": "This post appears to show the abuse of a child.",
        "items": [{"url": f"https://social.example/p/{n}-{i}"} for i in range(items)],
        "bona_fide_statement": True,
        **extra,
    }


def moderator(env: dict[str, str]) -> dict[str, str]:
    made = cli("keys", "create", "--scope", "moderate", "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


def from_address(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_when_one_address_floods_child_safety_notices_then_caps_stop_it_and_a_threat_to_life_is_on_page_one(  # noqa: E501
    sqlite_url: str,
) -> None:
    env = server_env(
        sqlite_url,
        CONSENTGATE_TRUSTED_PROXIES="127.0.0.1",  # the test is the proxy: it names addresses
        CONSENTGATE_NOTICE_RATE_PER_S="1000",  # only the item and case caps under test
        CONSENTGATE_NOTICE_RATE_BURST="1000",
    )
    headers = moderator(env)
    with serving(env) as url, httpx.Client(base_url=url, timeout=30) as client:
        attacker = from_address("203.0.113.66")
        big = client.post("/v1/notices", json=report(0, 100), headers=attacker)
        assert big.status_code == 422
        assert big.json()["errors"][0]["field"] == "items"

        answers = [
            client.post("/v1/notices", json=report(n, 10), headers=attacker) for n in range(10)
        ]
        assert [a.status_code for a in answers] == [201, 201] + [429] * 8  # 20 cases an hour
        assert int(answers[-1].headers["Retry-After"]) > 0

        def flood(n: int) -> list[int]:
            sent = from_address(f"198.51.100.{n}")
            return [
                client.post("/v1/notices", json=report(1000 * n + k, 10), headers=sent).status_code
                for k in range(3)
            ]

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            flooded = [code for codes in pool.map(flood, range(FLOODERS)) for code in codes]
        assert flooded.count(201) == 2 * FLOODERS

        urgent = client.post(
            "/v1/notices",
            json=report(99, 1, threat_to_life=True),
            headers=from_address("192.0.2.10"),
        )
        assert urgent.status_code == 201
        (urgent_case,) = urgent.json()["cases"]

        page = client.get(
            "/v1/cases", params={"queue": "child_safety", "limit": 50}, headers=headers
        )
        assert page.status_code == 200
        assert page.json()[0]["id"] == urgent_case
        assert "X-Next-Cursor" in page.headers


def test_when_the_peer_is_loopback_and_no_proxy_is_trusted_then_x_forwarded_for_is_ignored(
    sqlite_url: str,
) -> None:
    env = server_env(
        sqlite_url, CONSENTGATE_NOTICE_RATE_PER_S="0.001", CONSENTGATE_NOTICE_RATE_BURST="2"
    )
    with serving(env) as url, httpx.Client(base_url=url, timeout=30) as client:
        codes = [
            client.post(
                "/v1/notices", json=report(n, 1), headers=from_address(f"203.0.113.{n}")
            ).status_code
            for n in range(4)
        ]
    assert codes == [201, 201, 429, 429]  # one bucket: the peer's, whatever the header says


def test_when_loopback_is_a_trusted_proxy_then_the_forwarded_address_has_its_own_bucket(
    sqlite_url: str,
) -> None:
    env = server_env(
        sqlite_url,
        CONSENTGATE_NOTICE_RATE_PER_S="0.001",
        CONSENTGATE_NOTICE_RATE_BURST="2",
        CONSENTGATE_TRUSTED_PROXIES="127.0.0.1",
    )
    with serving(env) as url, httpx.Client(base_url=url, timeout=30) as client:

        def send(address: str) -> int:
            return client.post(
                "/v1/notices", json=report(0, 1), headers=from_address(address)
            ).status_code

        first = [send("203.0.113.1") for _ in range(3)]
        # a client's own header is left of what the proxy appends: it changes nothing
        forged = send("6.6.6.6, 203.0.113.1")
        other = send("203.0.113.2")
    assert first == [201, 201, 429]
    assert forged == 429
    assert other == 201


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def shared_env(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[dict[str, str]]:
    """A server whose counters are in its SQLite file, in Redis (on SQLite) or in its
    PostgreSQL store."""
    limits = {"CONSENTGATE_NOTICE_RATE_PER_S": "0.001", "CONSENTGATE_NOTICE_RATE_BURST": "5"}
    if request.param == "sqlite":
        env = server_env(sqlite_url, **limits)
        env.pop("CONSENTGATE_REDIS_URL", None)
        yield env
        return
    if request.param == "redis":
        yield server_env(
            sqlite_url,
            CONSENTGATE_REDIS_URL=request.getfixturevalue("redis_url"),
            CONSENTGATE_REDIS_PREFIX=unique_prefix(),
            **limits,
        )
        return
    with scratch_database(request.getfixturevalue("postgres_url"), "cg_t") as url:
        yield server_env(url, **limits)


def test_when_two_workers_serve_then_a_notice_burst_of_5_admits_exactly_5(
    shared_env: dict[str, str],
) -> None:
    with serving(shared_env, "--workers", "2") as url:

        def send(n: int) -> int:
            deadline = time.monotonic() + 60
            while True:  # a worker still loading answers 503: ask again
                with httpx.Client(base_url=url, timeout=30) as fresh:  # a new connection each
                    code = fresh.post("/v1/notices", json=report(n, 1)).status_code
                if code != 503 or time.monotonic() > deadline:
                    return code
                time.sleep(0.2)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(send, range(40)))
    assert codes.count(201) == 5
    assert codes.count(429) == 35


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_when_two_workers_would_each_open_an_in_memory_store_then_serve_refuses(
    url: str,
) -> None:
    env = server_env(url)
    env.pop("CONSENTGATE_REDIS_URL", None)
    done = cli("serve", "--workers", "2", "--port", str(free_port()), env=env)
    assert done.returncode == 2
    assert "in-memory SQLite" in done.stderr


def test_when_redis_does_not_answer_then_serve_refuses(sqlite_url: str) -> None:
    env = server_env(sqlite_url, CONSENTGATE_REDIS_URL="redis://127.0.0.1:1/0")
    done = cli("serve", "--port", str(free_port()), env=env)
    assert done.returncode == 2
    assert "CONSENTGATE_REDIS_URL" in done.stderr


def test_when_the_redis_url_is_not_one_then_serve_refuses(sqlite_url: str) -> None:
    env = server_env(sqlite_url, CONSENTGATE_REDIS_URL="http://127.0.0.1:6379")
    done = cli("serve", "--port", str(free_port()), env=env)
    assert done.returncode == 2
    assert "CONSENTGATE_REDIS_URL" in done.stderr
