"""Delivery against ``consentgate serve`` in a real process, on SQLite and PostgreSQL.

The receiver answers 200 only after 2 s, past a 1 s webhook timeout: every
delivery is cut off on our side, yet the platform carries each one out. A
removal reversed after such a timeout must still be followed by a restore, so the
platform ends with the item restored. A server killed with -9 mid-delivery must,
once restarted, send every undelivered action within 15 s.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from consentgate.cases.outbox import ActionQueue, ActionStatus
from consentgate.cases.records import Item
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.api.receiver import receiving
from tests.api.server import cli, server_env, serving, serving_process
from tests.cases.actionkit import SECRET, hooked, removed, webhook_settings
from tests.cases.conftest import MovableClock

pytestmark = pytest.mark.slow

NOTICE = Path(__file__).resolve().parents[2] / "examples" / "notices" / "dsa_notice.json"


def _key(env: dict[str, str], user: str) -> dict[str, str]:
    done = cli("keys", "create", "--scope", "moderate", "--user", user, "--json", env=env)
    assert done.returncode == 0, done.stderr
    return {"Authorization": f"Bearer {json.loads(done.stdout)['key']}"}


def test_when_a_removal_times_out_and_is_reversed_then_the_platform_ends_restored(
    database_url: str,
) -> None:
    with receiving(delay_s=2.0) as platform:
        env = server_env(
            database_url,
            CONSENTGATE_WEBHOOK_URL=platform.url,
            CONSENTGATE_WEBHOOK_SECRET=SECRET,
            CONSENTGATE_WEBHOOK_TIMEOUT_S="1",
            CONSENTGATE_ACTION_RETRY_BASE_S="5",
            CONSENTGATE_ACTION_MAX_ATTEMPTS="2",
        )
        for user, role in (("alice", "moderator"), ("bob", "appeals")):
            added = cli("users", "add", user, "--role", role, env=env)
            assert added.returncode == 0, added.stderr
        alice, bob = _key(env, "alice"), _key(env, "bob")
        with serving(env) as url, httpx.Client(base_url=url, timeout=30) as http:
            receipt = http.post("/v1/notices", json=json.loads(NOTICE.read_text()))
            assert receipt.status_code == 201, receipt.text
            case = f"/v1/cases/{receipt.json()['cases'][0]}"
            decided = http.post(
                f"{case}/decision", json={"action": "remove", "reason": "unlawful"}, headers=alice
            )
            assert decided.status_code == 200, decided.text
            assert platform.wait(lambda: len(platform.keys()) == 1, 30)
            time.sleep(2.5)  # the first attempt was cut off at 1 s: its outcome is unknown
            appeal = {"by": "affected_user", "text": "it is my photo"}
            assert http.post(f"{case}/appeal", json=appeal, headers=alice).status_code == 200
            reverse = {"outcome": "reversed", "reason": "consent shown"}
            done = http.post(f"{case}/appeal-decision", json=reverse, headers=bob)
            assert done.status_code == 200, done.text
            restored = platform.wait(lambda: "restored" in platform.state.values(), 40)
    assert restored, (platform.state, platform.arrivals)
    kinds = [a.action for a in platform.arrivals]
    assert kinds == sorted(kinds, key=["remove", "restore"].index)  # never out of order
    remove_key, restore_key = platform.keys()  # one stable key each, across retries
    assert "-remove-" in remove_key and "-restore-" in restore_key


def test_when_the_server_is_killed_mid_delivery_then_a_restart_sends_everything_in_15_s(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db)
    cases = hooked(db, webhook_settings(db), MovableClock())
    for n in range(4):
        removed(cases, Item(url=f"https://platform.example/p/{n}"))
    queued = {a.idempotency_key for a in ActionQueue(db).list()}
    db.dispose()
    with receiving(delay_s=4.0) as platform:
        env = server_env(
            database_url,
            CONSENTGATE_WEBHOOK_URL=platform.url,
            CONSENTGATE_WEBHOOK_SECRET=SECRET,
            CONSENTGATE_WEBHOOK_TIMEOUT_S="5",
        )
        with serving_process(env) as (_url, proc):
            assert platform.wait(lambda: len(platform.keys()) >= 1, 30)
            os.killpg(proc.pid, signal.SIGKILL)  # mid-delivery, nothing cleaned up
            proc.wait(10)
        platform.delay_s = 0.0
        restarted = time.monotonic()  # the 15 s include the restart itself
        with serving(env):
            left = 15 - (time.monotonic() - restarted)
            delivered = platform.wait(lambda: set(platform.keys(restarted)) == queued, left)
    assert delivered, (queued, platform.keys(restarted))


def test_when_the_server_is_stopped_mid_delivery_then_it_starts_no_other_and_holds_no_claim(
    database_url: str,
) -> None:
    db = Database(database_url)
    upgrade(db)
    cases = hooked(db, webhook_settings(db), MovableClock())
    for n in range(4):
        removed(cases, Item(url=f"https://platform.example/p/{n}"))
    with receiving(delay_s=3.0) as platform:
        env = server_env(
            database_url,
            CONSENTGATE_WEBHOOK_URL=platform.url,
            CONSENTGATE_WEBHOOK_SECRET=SECRET,
            CONSENTGATE_WEBHOOK_TIMEOUT_S="5",
        )
        with serving_process(env) as (_url, proc):
            assert platform.wait(lambda: len(platform.keys()) >= 1, 30)
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)  # the delivery under way finishes; no other starts
    statuses = [a.status for a in ActionQueue(db).list()]
    db.dispose()
    assert ActionStatus.SENDING not in statuses, statuses
    assert statuses.count(ActionStatus.PENDING) >= 2  # given back or never claimed: due now
