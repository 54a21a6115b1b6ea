"""A missing or wrong evidence key is said at start-up, in /readyz and in ``detectors --check``."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.records import CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.api.conftest import make_settings, running
from tests.api.server import EXE, free_port, server_env


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _seal(url: str, key: str) -> None:
    db = Database(url)
    try:
        upgrade(db)
        service = CaseService(db, Settings(database_url=url))
        case = service.open(CaseKind.CHILD_SAFETY, Item(url="https://example.com/x"))
        with db.write() as conn:
            EvidenceVault(db, service, base64.b64decode(key)).keep(
                conn, case.id, b"benign bytes", "image/png", actor="automated"
            )
    finally:
        db.dispose()


@pytest.mark.parametrize(("key", "state"), [(None, "off"), (_key(), "on")], ids=["off", "on"])
def test_CS_2_when_readyz_is_asked_then_it_says_whether_evidence_is_kept(
    sqlite_url: str, key: str | None, state: str
) -> None:
    with running(make_settings(sqlite_url, evidence_key=key)) as api:
        assert api.client.get("/readyz").json()["evidence"] == state


@pytest.mark.parametrize(("key", "line"), [
    (None, "evidence: off: CONSENTGATE_EVIDENCE_KEY is not set"),
    (_key(), "evidence: on"),
], ids=["off", "on"])  # fmt: skip
def test_when_detectors_check_runs_then_it_prints_the_evidence_state(
    sqlite_url: str, key: str | None, line: str
) -> None:
    settings = make_settings(sqlite_url, evidence_key=key, detectors="hash_match")
    for args, expected in ((["--check"], line), (["--check", "--json"], None)):
        result = CliRunner().invoke(cli, ["detectors", *args], obj=AppContext(settings=settings))
        assert result.exit_code == 0, result.stderr
        if expected is not None:
            assert expected in result.stdout
        else:
            assert json.loads(result.stdout)["evidence"] == ("off" if key is None else "on")


@pytest.mark.slow
def test_CS_2_when_serve_starts_without_an_evidence_key_then_a_warning_and_readyz_says_off(
    sqlite_url: str,
) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), "--log-level", "warning"],
        env=server_env(sqlite_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, ready = time.monotonic() + 90, None
        while ready is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                ready = answer.json() if answer.status_code == 200 else None
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert ready is not None and ready["evidence"] == "off", err
    warnings = [line for line in err.splitlines() if line.startswith("WARNING: evidence: off")]
    assert len(warnings) == 1 and "CS-2 not met" in warnings[0]


@pytest.mark.slow
def test_when_serve_starts_with_a_key_that_does_not_open_the_newest_item_then_exit_2_one_line(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cg.db'}"
    _seal(url, _key())
    done = subprocess.run(
        [EXE, "serve", "--port", str(free_port())],
        env=server_env(url, CONSENTGATE_EVIDENCE_KEY=_key()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: CONSENTGATE_EVIDENCE_KEY (key id ")
    assert "does not open the newest sealed evidence" in done.stderr
    assert done.stderr.count("\n") == 1
