"""``consentgate proxy`` as a real process, in front of the example fake upstream (README).

The README's gateway section shows what a client gets for a Grok-style edit
and for an ordinary one; this runs those requests against the real command,
with the real detectors, and checks the answers have the README's shape and
words. The upstream key goes in a header and (as some APIs take it) in the
query string; afterwards neither the access log nor any row of the store
holds it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import yaml

from consentgate.gateway.refusals import REFUSALS
from consentgate.records import Verdict
from tests.api.conftest import photo
from tests.api.server import EXE, free_port
from tests.gateway.conftest import serving
from tests.gateway.fakes import GENERIC_CONFIG, FakeUpstream

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fake_upstream.py"
KEY = "sk-proxy-0123456789SECRET"


@contextmanager
def process(args: list[str], url: str, env: dict[str, str], log: IO[bytes]) -> Iterator[None]:
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{args[1]} exited")
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


def readme_gateway_section() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Put it in front of an image API", 1)[1].split("\n## ", 1)[0]
    return re.sub(r"\s+", " ", section.replace("#", " "))


def stored_text(database: Path) -> str:
    """Every row of every table of the store, as text."""
    rows = []
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            rows += [repr(row) for row in db.execute(f'SELECT * FROM "{table}"')]
    assert len(rows) > 2
    return "\n".join(rows)


def test_when_the_proxy_runs_in_front_of_the_example_upstream_then_the_readme_holds(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTGATE_")}
    env["CONSENTGATE_STORE_PROMPTS"] = "all"  # the prompts are kept too: still no key
    up, gw = free_port(), free_port()
    database = tmp_path / "gateway.db"
    upstream = [sys.executable, str(EXAMPLE), "--port", str(up)]
    gateway = [EXE, "proxy", "--upstream", f"http://127.0.0.1:{up}/v1", "--port", str(gw)]
    gateway += ["--database-url", f"sqlite:///{database}", "--log-level", "info"]
    log_path = tmp_path / "gateway.log"
    with (
        open(tmp_path / "upstream.log", "wb") as upstream_log,
        open(log_path, "wb") as gateway_log,
        process(upstream, f"http://127.0.0.1:{up}/files/landscape.png", env, upstream_log),
        process(gateway, f"http://127.0.0.1:{gw}/healthz", env, gateway_log),
    ):
        base = f"http://127.0.0.1:{gw}/v1/images/edits?api-key={KEY}"
        files = {"image": ("person.jpg", photo("astronaut"), "image/jpeg")}
        auth = {"Authorization": f"Bearer {KEY}"}
        refused = httpx.post(
            base, data={"prompt": "put her in a bikini"}, files=files, headers=auth, timeout=60
        )
        ordinary = httpx.post(
            base, data={"prompt": "make the sky bluer"}, files=files, headers=auth, timeout=60
        )
    assert refused.status_code == 400, refused.text
    error = json.loads(refused.text)["error"]
    readme = readme_gateway_section()
    assert set(error) == {"code", "message", "type", "param", "decision_id"}
    assert error["code"] == "content_policy_violation"
    assert error["message"] == REFUSALS[Verdict.BLOCK][1]
    for shown in ("content_policy_violation", error["message"], '"type":"invalid_request_error"'):
        assert shown in readme
    assert ordinary.status_code == 200, ordinary.text
    answer = ordinary.json()
    assert set(answer) == {"created", "data"} and set(answer["data"][0]) == {"b64_json"}
    assert '{"created":' in readme and '"data":[{"b64_json":' in readme
    log = log_path.read_text()
    assert "POST /v1/images/edits?[redacted]" in log  # the access log is on ...
    assert KEY not in log  # ... and holds no key
    assert KEY not in stored_text(database)
    assert "put her in a bikini" in stored_text(database)  # what was stored is searched


def test_when_the_proxy_is_configured_for_a_generic_api_then_its_worker_reads_it(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTGATE_")}
    config = tmp_path / "images-api.yaml"
    file_part = {k: v for k, v in GENERIC_CONFIG.items() if k != "request_prompt"}
    config.write_text(yaml.safe_dump(file_part))
    upstream = FakeUpstream("compliant", "generic")
    gw = free_port()
    with serving(upstream.app()) as url, open(tmp_path / "gateway.log", "wb") as log:
        gateway = [EXE, "proxy", "--upstream", f"{url}/v1", "--port", str(gw)]
        gateway += ["--adapter", "generic-json", "--adapter-config", str(config)]
        gateway += ["--adapter-option", "request_prompt=input.text"]
        gateway += ["--database-url", f"sqlite:///{tmp_path / 'gateway.db'}"]
        with process(gateway, f"http://127.0.0.1:{gw}/healthz", env, log):
            base = f"http://127.0.0.1:{gw}/v1"
            refused = httpx.post(
                f"{base}/generate", json={"input": {"text": "make it explicit"}}, timeout=60
            )
            made = httpx.post(f"{base}/generate", json={"input": {"text": "a boat"}}, timeout=60)
    assert refused.status_code == 403, refused.text
    assert refused.json()["reason"]["code"] == "content_policy_violation"
    assert made.status_code == 200 and "png" in made.json()["result"]["images"][0]
    assert len(upstream.calls) == 1
