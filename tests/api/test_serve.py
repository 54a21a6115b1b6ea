"""``consentgate serve`` as real processes: start-up checks, many workers, a killed worker."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from consentgate.hashing.image import hash_image_bytes
from consentgate.records import Decision
from consentgate.store.banks_tables import screened_content
from consentgate.store.database import Database
from consentgate.store.service_tables import decisions
from tests.api.conftest import b64, photo
from tests.api.server import EXE, cli, free_port, server_env, serving

pytestmark = pytest.mark.slow


def _key(env: dict[str, str], *scopes: str) -> dict[str, str]:
    args = [a for s in scopes for a in ("--scope", s)]
    made = cli("keys", "create", *args, "--rate-limit", "0", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {"CONSENTGATE_PORT": "70000"}, "CONSENTGATE_PORT"),
        (("--workers", "0"), {}, "CONSENTGATE_WORKERS"),
        (("--database-url", "mysql://x/y"), {}, "database URL"),
        ((), {"CONSENTGATE_STORE_PROMPTS": "sometimes"}, "CONSENTGATE_STORE_PROMPTS"),
        ((), {"CONSENTGATE_BANK_NOTICES": "sometimes"}, "CONSENTGATE_BANK_NOTICES"),
        ((), {"CONSENTGATE_INDEX_REFRESH_S": "61"}, "CONSENTGATE_INDEX_REFRESH_S"),
        ((), {"CONSENTGATE_POLICY_PATH": "/nonexistent/policy.yaml"}, "policy"),
        ((), {"CONSENTGATE_DETECTORS": "no_such_detector"}, "not installed"),
    ],
)
def test_when_settings_are_bad_then_serve_fails_loudly_before_binding(
    sqlite_url: str, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    port = free_port()
    done = subprocess.run(
        [EXE, "serve", "--port", str(port), *args],
        env={**server_env(sqlite_url), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # nothing was bound


def _raw(url: str, request: bytes, timeout: float = 10) -> bytes:
    """Send ``request`` as is and read the answer's head (the body is never sent)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65_536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_when_a_real_server_answers_then_it_names_no_server_and_refuses_before_the_body(
    sqlite_url: str,
) -> None:
    env = server_env(sqlite_url)
    with serving(env) as url:
        assert "server" not in httpx.get(url + "/healthz").headers
        # 38 MB announced, not one byte sent: the 401 must come without waiting for it.
        head = _raw(
            url,
            b"POST /v1/match HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 38000000\r\n\r\n",
        )
        assert head.startswith(b"HTTP/1.1 401"), head
        assert b"server:" not in head.lower()
        forged = httpx.post(
            url + "/v1/screen/", json={"prompt": "a"}, headers={"Host": "evil.example"}
        )
        assert "evil.example" not in forged.headers.get("location", "")
        assert forged.status_code == 404
        assert httpx.get(url + "/openapi.json").status_code == 404
    with serving({**env, "CONSENTGATE_API_DOCS": "true"}) as url:
        assert httpx.get(url + "/openapi.json").status_code == 200


def test_when_two_servers_share_postgres_then_a_bank_change_reaches_the_other_within_1s(
    postgres_url: str,
) -> None:
    env = server_env(postgres_url)
    writer, screener = _key(env, "banks:write"), _key(env, "screen")
    image = photo("coffee")
    hashes = hash_image_bytes(image)
    with serving(env) as first, serving(env) as second:
        r = httpx.post(first + "/v1/banks", json={"name": "ncii", "kind": "ncii"}, headers=writer)
        assert r.status_code == 201, r.text
        body = {"mode": "upload", "output_image": b64(image)}
        before = httpx.post(second + "/v1/screen", json=body, headers=screener, timeout=30)
        # Only hash_match runs: the image models' protections are off, hence review.
        assert before.json()["decision"] == "review"
        added = httpx.post(
            first + "/v1/banks/ncii/entries",
            json={"pdq": hashes.pdq, "quality": hashes.quality},
            headers=writer,
        )
        assert added.status_code == 201
        started = time.monotonic()
        while True:
            found = httpx.post(second + "/v1/match", json={"pdq": [hashes.pdq]}, headers=screener)
            if found.json()["matches"]:
                break
            assert time.monotonic() - started < 1.0, "the other server did not see the entry"
            time.sleep(0.05)
        after = httpx.post(second + "/v1/screen", json=body, headers=screener, timeout=30)
        assert after.json()["decision"] == "block"
        assert after.json()["reasons"][0]["rule"] == "R2"


def test_when_one_server_runs_two_workers_then_metrics_sum_over_both(postgres_url: str) -> None:
    env = server_env(postgres_url)
    screen, report = _key(env, "screen"), _key(env, "report")
    with serving(env, "--workers", "2") as url:
        with httpx.Client(base_url=url) as client:
            ids = {_screen_when_ready(client, f"a cat {i}", screen) for i in range(40)}
        assert len(ids) == 40
        for _ in range(4):  # whichever worker answers, the counts are the sum of both
            text = httpx.get(url + "/metrics", headers=report).text
            # Only hash_match runs, so every prompt goes to review (its protections are off).
            assert 'consentgate_decisions_total{verdict="review"} 40.0' in text


def _screen_when_ready(client: httpx.Client, prompt: str, headers: dict[str, str]) -> str:
    """Screen once; a worker still loading answers 503, so ask again (bounded)."""
    deadline = time.monotonic() + 60
    while True:
        r = client.post("/v1/screen", json={"prompt": prompt}, headers=headers)
        if r.status_code != 503 or time.monotonic() > deadline:
            assert r.status_code == 200, r.text
            return str(r.json()["id"])
        time.sleep(0.1)


def _fire(url: str, headers: dict[str, str], body: dict[str, Any]) -> str | None:
    try:
        r = httpx.post(url + "/v1/screen", json=body, headers=headers, timeout=30)
    except httpx.HTTPError:
        return None
    return str(r.json()["id"]) if r.status_code == 200 else None


def test_when_the_server_is_killed_mid_request_then_no_decision_is_half_written(
    sqlite_url: str,
) -> None:
    env = server_env(sqlite_url)
    headers = _key(env, "screen")
    body = {"mode": "upload", "prompt": "a cat", "output_image": b64(photo())}
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), "--log-level", "critical"],
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(_fire, url, headers, body) for _ in range(200)]
            while sum(f.done() for f in futures) < 20:
                time.sleep(0.01)
            os.killpg(proc.pid, signal.SIGKILL)  # mid-flight: no shutdown, no cleanup
            answered = {f.result() for f in futures} - {None}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert 20 <= len(answered) < 200
    db = Database(sqlite_url)
    with db.read() as conn:
        rows = conn.execute(select(decisions)).all()
        screened = conn.execute(select(screened_content.c.decision_id)).scalars().all()
    db.dispose()
    stored = {row.id for row in rows}
    assert answered <= stored  # every answered decision was committed first
    for row in rows:  # and every stored one is whole
        decision = Decision.model_validate(row.record)
        assert decision.id == row.id and decision.decision.value == row.verdict
        assert [h["target"] for h in row.image_hashes] == ["output_image"]
    assert sorted(screened) == sorted(stored)  # hashes and decision: both or neither
