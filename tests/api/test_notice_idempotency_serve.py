"""A connection reset after the commit, against ``consentgate serve`` in a real process.

The notifier's first request is stored, but the connection is reset before the
answer is read, so the tracking code never arrives; the retry under the same
``Idempotency-Key`` must get that notice's receipt, and the store must hold one
notice's cases, not two.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.server import cli, server_env, serving

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "notices"
NOTICE = (EXAMPLES / "dsa_notice.json").read_text()
KEY = "reset-after-commit-1"


def _moderator(env: dict[str, str]) -> dict[str, str]:
    made = cli("keys", "create", "--scope", "moderate", "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


def _send_and_reset(url: str, until_stored: Callable[[], bool]) -> None:
    """Send the notice, wait until the server has stored it, then reset the connection
    without reading a byte of the answer (SO_LINGER 0 sends RST)."""
    where = urlsplit(url)
    body = NOTICE.encode()
    head = (
        f"POST /v1/notices HTTP/1.1\r\nHost: {where.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Idempotency-Key: {KEY}\r\n\r\n"
    ).encode()
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(head + body)
        deadline = time.monotonic() + 30
        while not until_stored():
            assert time.monotonic() < deadline, "the notice was never stored"
            time.sleep(0.05)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_when_the_connection_resets_after_the_commit_then_the_retry_gets_the_one_notice(
    database_url: str,
) -> None:
    env = server_env(database_url)
    moderator = _moderator(env)
    with serving(env) as url, httpx.Client(base_url=url, timeout=30) as http:

        def listed() -> list[dict[str, object]]:
            found = http.get("/v1/cases", headers=moderator)
            assert found.status_code == 200, found.text
            return list(found.json())

        _send_and_reset(url, lambda: len(listed()) > 0)
        headers = {"Idempotency-Key": KEY, "Content-Type": "application/json"}
        retry = http.post("/v1/notices", content=NOTICE, headers=headers)
        assert retry.status_code == 201, retry.text
        assert retry.headers["idempotent-replayed"] == "true"
        receipt = retry.json()
        cases = listed()
        assert sorted(c["id"] for c in cases) == sorted(receipt["cases"])  # one notice's cases
        assert {c["notice_id"] for c in cases} == {receipt["id"]}
        status = http.get(receipt["status_url"])  # the tracking code the reset lost works
        assert status.status_code == 200 and len(status.json()["items"]) == len(cases)
