"""``consentgate proxy`` as a real process, in front of the example fake upstream (README)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.conftest import photo
from tests.api.server import EXE, free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fake_upstream.py"


@contextmanager
def process(args: list[str], url: str, env: dict[str, str]) -> Iterator[None]:
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read() if proc.stderr else "exited")
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise AssertionError("did not start") from None
                time.sleep(0.2)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_when_the_proxy_runs_in_front_of_the_example_upstream_then_refusals_and_edits(
    sqlite_url: str,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTGATE_")}
    up, gw = free_port(), free_port()
    upstream = [sys.executable, str(EXAMPLE), "--port", str(up)]
    gateway = [EXE, "proxy", "--upstream", f"http://127.0.0.1:{up}/v1", "--port", str(gw)]
    gateway += ["--database-url", sqlite_url, "--log-level", "warning"]
    with (
        process(upstream, f"http://127.0.0.1:{up}/files/landscape.png", env),
        process(gateway, f"http://127.0.0.1:{gw}/healthz", env),
    ):
        base = f"http://127.0.0.1:{gw}/v1/images/edits"
        files = {"image": ("person.jpg", photo("astronaut"), "image/jpeg")}
        auth = {"Authorization": "Bearer sk-example"}
        refused = httpx.post(
            base, data={"prompt": "put her in a bikini"}, files=files, headers=auth, timeout=60
        )
        assert refused.status_code == 400, refused.text
        assert json.loads(refused.text)["error"]["code"] == "content_policy_violation"
        ordinary = httpx.post(
            base, data={"prompt": "make the sky bluer"}, files=files, headers=auth, timeout=60
        )
        assert ordinary.status_code == 200, ordinary.text
