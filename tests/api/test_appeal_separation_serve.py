"""Nobody decides their own appeal, against ``consentgate serve`` in a real process.

Users and keys are made with the CLI, as an operator would; the server then
takes each change's actor from the key alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.api.server import cli, server_env, serving

pytestmark = pytest.mark.slow

NOTICE = Path(__file__).resolve().parents[2] / "examples" / "notices" / "dsa_notice.json"


def _ok(*args: str, env: dict[str, str]) -> str:
    done = cli(*args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _key(env: dict[str, str], *extra: str) -> dict[str, str]:
    made = json.loads(_ok("keys", "create", "--scope", "moderate", *extra, "--json", env=env))
    return {"Authorization": f"Bearer {made['key']}"}


def test_when_a_user_decides_their_own_appeal_through_the_server_then_403_and_another_200(
    sqlite_url: str,
) -> None:
    env = server_env(sqlite_url)
    _ok("users", "add", "alice", "--role", "appeals", env=env)
    _ok("users", "add", "bob", "--role", "appeals", env=env)
    alice, alice_again = _key(env, "--user", "alice"), _key(env, "--user", " ALICE ")
    bob, service_key = _key(env, "--user", "bob"), _key(env)
    with serving(env) as url, httpx.Client(base_url=url, timeout=30) as http:
        receipt = http.post("/v1/notices", json=json.loads(NOTICE.read_text()))
        assert receipt.status_code == 201, receipt.text
        case_id = receipt.json()["cases"][0]
        cases = f"/v1/cases/{case_id}"
        decided = http.post(
            f"{cases}/decision", json={"action": "remove", "reason": "unlawful"}, headers=alice
        )
        assert decided.status_code == 200, decided.text
        appeal = {"by": "affected_user", "text": "it is my photo"}
        assert http.post(f"{cases}/appeal", json=appeal, headers=alice).status_code == 200
        reverse = {"outcome": "reversed", "reason": "consent shown"}
        refusals = [
            (alice, reverse, 403),
            (alice_again, reverse, 403),
            (service_key, reverse, 403),
            (bob, reverse | {"actor": "carol"}, 422),
            (service_key, reverse | {"actor": "Alice "}, 422),
        ]
        for headers, body, status in refusals:
            answer = http.post(f"{cases}/appeal-decision", json=body, headers=headers)
            assert answer.status_code == status, (body, answer.text)
        done = http.post(f"{cases}/appeal-decision", json=reverse, headers=bob)
        assert done.status_code == 200, done.text
        events = http.get(cases, headers=bob).json()["events"]
    actors = [(e["kind"], e["actor"]) for e in events]
    assert actors[1:] == [("decided", "alice"), ("appealed", "alice"), ("appeal_decided", "bob")]
    assert events[1]["data"]["user_id"] != events[3]["data"]["user_id"]
