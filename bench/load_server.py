"""``consentgate serve`` for bench/load.py: the defaults `make run` uses, its own store and key."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from consentgate.store.database import Database
from consentgate.store.service_tables import decisions

EXE = str(Path(sys.executable).with_name("consentgate"))
# Settings a developer's shell may hold that `make run` on a fresh machine does not have.
NOT_DEFAULT = ("CONSENTGATE_WORKERS", "CONSENTGATE_REDIS_URL", "CONSENTGATE_DETECTORS",
               "CONSENTGATE_DISABLED_DETECTORS", "CONSENTGATE_BATCH_WAIT_MS")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and its children, the workers, so far."""
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return 0.0
    ticks = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def decision_ids(database_url: str) -> set[str]:
    db = Database(database_url)
    try:
        with db.read() as conn:
            return set(conn.execute(select(decisions.c.id)).scalars())
    finally:
        db.dispose()


class Server:
    """A fresh SQLite store under ``folder`` (or the store at ``database_url``), a screen
    key without a rate limit, and ``serve`` on a free port; ``batcher`` False sets
    CONSENTGATE_BATCH_WAIT_MS=0."""

    def __init__(
        self, folder: Path, workers: int | None, batcher: bool, database_url: str | None = None
    ) -> None:
        store = folder / f"store-{int(time.time() * 1000)}"
        store.mkdir()
        self.database_url = database_url or f"sqlite:///{store}/consentgate.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in NOT_DEFAULT}
        env["CONSENTGATE_DATABASE_URL"] = self.database_url
        if not batcher:
            env["CONSENTGATE_BATCH_WAIT_MS"] = "0"
        made = subprocess.run(
            [EXE, "keys", "create", "--scope", "screen", "--rate-limit", "0", "--json"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        self.key: str = json.loads(made.stdout)["key"]
        cmd = [EXE, "serve", "--port", str(self.port), "--log-level", "warning"]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        started = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
        first = self._wait(lambda: self._ready(1), started)
        every = self._wait(lambda: self._ready(20), started)
        self.cold_start_s = {"first_ready": round(first, 2), "all_ready": round(every, 2)}
        self.workers = workers or len(os.sched_getaffinity(0))

    def _ready(self, times: int) -> bool:
        """``times`` fresh connections in a row answered ready (each may reach another worker)."""
        for _ in range(times):
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
        return True

    def _wait(self, ready: object, started: float, timeout: float = 120.0) -> float:
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with status {self.proc.returncode}")
            if callable(ready) and ready():
                return time.monotonic() - started
            time.sleep(0.02)
        raise SystemExit("the server did not become ready in time")

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
