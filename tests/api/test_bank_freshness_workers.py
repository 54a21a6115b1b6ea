"""A bank change made through one worker of ``serve --workers 2`` reaches the other by notice.

The poll is set to 60 s, longer than the whole test, so a worker that follows
a change within seconds can only have heard a change notice (Redis pub/sub on
a SQLite store; PostgreSQL LISTEN/NOTIFY), and ``/metrics`` confirms it: the
catch-ups were woken by notices, none by the poll. Each worker is reached on
its own keep-alive connection, told apart through /proc (``tests.api.workers``).
The propagation times are printed, not asserted: ``bench/bank_freshness.py``
measures them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.server import cli, server_env, serving_process
from tests.api.workers import Pinned, converge, descendants, pin_workers
from tests.banks.conftest import random_pdq
from tests.conftest import scratch_database, unique_prefix

pytestmark = pytest.mark.slow

POLL_S = "60"
PATIENCE = 20.0  # well inside the poll: only a notice can explain agreeing sooner


@pytest.fixture(
    params=[
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "redis":
        yield server_env(
            f"sqlite:///{tmp_path / 'consentgate.db'}",
            CONSENTGATE_REDIS_URL=request.getfixturevalue("redis_url"),
            CONSENTGATE_REDIS_PREFIX=unique_prefix(),
            CONSENTGATE_INDEX_REFRESH_S=POLL_S,
        )
        return
    with scratch_database(request.getfixturevalue("postgres_url"), "cg_t") as url:
        yield server_env(url, CONSENTGATE_INDEX_REFRESH_S=POLL_S)


def _key(env: dict[str, str], *scopes: str) -> str:
    args = [a for s in scopes for a in ("--scope", s)]
    made = cli("keys", "create", *args, "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return str(json.loads(made.stdout)["key"])


def _matched(answer: dict[str, list[object]]) -> bool:
    return bool(answer["matches"])


def _metric(text: str, line: str) -> float:
    found = re.search(rf"^{re.escape(line)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_when_a_victims_entry_changes_through_one_worker_then_both_agree_by_notice(
    env: dict[str, str],
) -> None:
    assert cli("bank", "create", "victims", "--kind", "ncii", env=env).returncode == 0
    key = _key(env, "banks:write", "report")
    pdq = random_pdq(501)
    probe = {"pdq": [pdq], "quality": 100}
    with serving_process(env, "--workers", "2") as (url, proc):
        port = int(url.rsplit(":", 1)[1])
        pins = pin_workers(proc.pid, port, 2, headers={"Authorization": f"Bearer {key}"})
        writer, other = list(pins.values())
        workers = list(pins.values())
        assert not any(_matched(w.call("POST", "/v1/match", probe)[1]) for w in workers)

        entry = {"pdq": pdq, "quality": 100, "retro": False}
        status, added = writer.call("POST", "/v1/banks/victims/entries", entry)
        since = time.perf_counter()
        assert status == 201, added
        matching = converge(workers, "/v1/match", probe, _matched, since=since, patience=PATIENCE)

        status, _ = writer.call(
            "POST", f"/v1/entries/{added['entry']['id']}/withdraw", {"reason": "victim asked"}
        )
        since = time.perf_counter()
        assert status == 200
        withdrawn = converge(
            workers, "/v1/match", probe, lambda a: not _matched(a), since=since, patience=PATIENCE
        )
        metrics = _scrape(other, proc.pid)

    print(f"new entry matching in every worker after {max(matching.values()) * 1000:.1f} ms")
    print(f"withdrawal effective in every worker after {max(withdrawn.values()) * 1000:.1f} ms")
    assert set(matching) == set(withdrawn) == set(pins)
    # The other worker applied both changes on notices; no catch-up came from the poll.
    assert _metric(metrics, 'consentgate_bank_refreshes_total{trigger="notice"}') >= 2
    assert _metric(metrics, 'consentgate_bank_refreshes_total{trigger="poll"}') == 0
    lag_pids = set(re.findall(r'consentgate_bank_last_refresh_lag_seconds\{pid="(\d+)"\}', metrics))
    assert other.pid in {int(p) for p in lag_pids}


def _scrape(pin: Pinned, server_pid: int) -> str:
    status, _ = pin.call("GET", "/readyz")
    assert status == 200
    pin.conn.request("GET", "/metrics", headers=pin.headers)
    response = pin.conn.getresponse()
    assert response.status == 200
    assert pin.pid in descendants(server_pid)
    return response.read().decode()
