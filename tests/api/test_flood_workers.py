"""Bank flood counts across the workers of a real ``consentgate serve --workers 2`` with Redis.

Each fresh connection lands on whichever worker accepts it. Per-worker counting
raised no alert for 11 matches split between two workers with a limit of 10,
and a second alert once the other worker passed 10 of its own; shared counting
raises exactly one, whatever the split.
"""

from __future__ import annotations

import concurrent.futures
import json
import time

import httpx
import pytest

from consentgate.banks.alerts import AlertLog
from consentgate.store.database import Database
from tests.api.server import cli, server_env, serving
from tests.banks.conftest import random_pdq
from tests.conftest import unique_prefix

LIMIT = 10


def alerts(database_url: str) -> list[tuple[int, str]]:
    db = Database(database_url)
    try:
        return [(a.entry_id, a.bank_kind) for a in AlertLog(db).list()]
    finally:
        db.dispose()


@pytest.mark.redis
def test_when_two_workers_share_an_ncii_entrys_matches_then_exactly_one_alert_is_raised(
    sqlite_url: str, redis_url: str
) -> None:
    env = server_env(
        sqlite_url, CONSENTGATE_REDIS_URL=redis_url, CONSENTGATE_REDIS_PREFIX=unique_prefix()
    )
    flood = ("--flood-max", str(LIMIT), "--flood-window", "3600")
    assert cli("bank", "create", "victims", "--kind", "ncii", *flood, env=env).returncode == 0
    pdq = random_pdq(30)
    added = cli("bank", "add", "victims", "--pdq", pdq, "--json", env=env)
    assert added.returncode == 0, added.stderr
    entry_id = json.loads(added.stdout)["entry"]["id"]
    made = cli("keys", "create", "--scope", "screen", "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    headers = {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}

    with serving(env, "--workers", "2") as url:

        def match(_: int) -> int:
            deadline = time.monotonic() + 60
            while True:  # a worker still loading answers 503: ask again
                with httpx.Client(base_url=url, timeout=30) as fresh:  # a new connection each
                    r = fresh.post(
                        "/v1/match", json={"pdq": [pdq], "quality": 100}, headers=headers
                    )
                if r.status_code != 503 or time.monotonic() > deadline:
                    assert r.status_code == 200, r.text
                    return len(r.json()["matches"])
                time.sleep(0.2)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            first = list(pool.map(match, range(LIMIT + 1)))
            after_first = alerts(sqlite_url)
            more = list(pool.map(match, range(3 * LIMIT)))

    assert first + more == [1] * (4 * LIMIT + 1)  # every match still matches
    assert after_first == [(entry_id, "ncii")]  # the 11th match in all raised it
    assert alerts(sqlite_url) == [(entry_id, "ncii")]  # and no worker raised another
