"""``consentgate serve`` in a subprocess whose output and memory a test can read.

``serving`` (tests/api/server.py) discards the server's output; tests of what
the server logs, or of how much memory a request cost it, need both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.api.server import EXE, free_port


@dataclass(frozen=True)
class Served:
    url: str
    pid: int
    log: Path  # the server's stdout and stderr, together

    def peak_rss_bytes(self) -> int:
        """The server process's peak resident memory so far (Linux ``VmHWM``)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM in /proc/<pid>/status")

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def served(env: dict[str, str], log: Path, *args: str, timeout: float = 90) -> Iterator[Served]:
    """One worker (so the process measured is the one serving), logging into ``log``."""
    port = free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [EXE, "serve", "--port", str(port), "--workers", "1", *args],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("serve did not become ready")
            time.sleep(0.2)
        yield Served(url=url, pid=proc.pid, log=log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
