"""``consentgate serve`` in a subprocess whose output and memory a test can read.

``serving`` (tests/api/server.py) discards the server's output; tests of what
the server logs, or of how much memory a request cost it, need both.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.api.server import EXE, free_port, stop, wait_ready


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
        wait_ready(proc, url, timeout, lambda: log.read_text(errors="replace"))
        yield Served(url=url, pid=proc.pid, log=log)
    finally:
        stop(proc)
