"""An assessment stopped by Ctrl-C or killed outright loses at most the request in flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The lexicon alone: a real detector that loads in a moment, so the test is about the run.
ENV = {**os.environ, "CONSENTGATE_DETECTORS": "prompt_lexicon", "COLUMNS": "120"}


def assess(*args: str) -> list[str]:
    return [sys.executable, "-m", "consentgate", "assess", "--target", "self", *args]


def state_ids(path: Path) -> list[str]:
    lines = path.read_text().splitlines()[1:]
    return [json.loads(line)["id"] for line in lines if line.endswith("}")]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_when_a_run_is_stopped_then_a_rerun_continues_without_repeating(
    tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "self.json"
    state = tmp_path / "self.state.jsonl"
    proc = subprocess.Popen(
        assess("--suite", "full", "--out", str(out)),
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (state.exists() and len(state.read_text().splitlines()) > 20):  # 20 results
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run did not start"
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    done = state_ids(state)
    assert len(done) >= 20 and len(done) == len(set(done))
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "run the same command again to continue" in stderr
        assert json.loads(out.read_text())["suite"]["complete"] is False
    again = subprocess.run(
        assess("--suite", "full", "--out", str(out), "--max-requests", "10"),
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    after = state_ids(state)
    assert len(after) == len(set(after)) == len(done) + 10
    assert after[: len(done)] == done
    assert json.loads(out.read_text())["suite"]["finished"] == len(done) + 10
